package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Bounded close: {@link TaskGroup#close(Duration)} reports a task that ignores the cancel longer than
 * the grace period as {@link TaskOutcome#ABANDONED}, with its stack, and leaves it running; the plain
 * {@link TaskGroup#close()} waits for it however long it takes (C1).
 *
 * <p>The owner runs on a thread forked from a {@link VirtualClock}; the test thread moves the clock by
 * hand once the owner is parked in the close, and releases the straggler with a latch: ordered steps,
 * no real-time waits.
 */
@org.junit.jupiter.api.Timeout(60)
class TaskGroupBoundedCloseTest {

    /** A task that ignores the cancel until released; its thread, and latches for each step. */
    static final class Straggler {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch caughtCancel = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        volatile Thread thread;

        void run() {
            thread = Thread.currentThread();
            try {
                started.countDown();
                try {
                    new CountDownLatch(1).await(); // blocks until cancelled
                } catch (InterruptedException e) {
                    caughtCancel.countDown();
                    stuckInCleanup();
                    Thread.currentThread().interrupt(); // restore: it was cancelled, let the group see it
                }
            } finally {
                ended.countDown();
            }
        }

        /** Waits until the straggler has caught the cancel and is blocked in its cleanup. */
        void awaitStuck() throws InterruptedException {
            caughtCancel.await();
            Forked.awaitBlockedIn(thread, "$Straggler", "stuckInCleanup");
        }

        /** Named so that the abandoned task's stack can be recognised. */
        void stuckInCleanup() {
            TaskGroupTest.awaitUninterruptibly(release);
        }
    }

    @Test
    @DisplayName("close(grace): the straggler is ABANDONED with its stack at exactly the grace, and left running")
    void boundedCloseAbandonsStraggler() throws Exception {
        VirtualClock clock = VirtualClock.create();
        Straggler stuck = new Straggler();
        CountDownLatch sleeperEnded = new CountDownLatch(1);
        AtomicReference<TaskReport> report = new AtomicReference<>();
        AtomicBoolean closeReturned = new AtomicBoolean();
        Thread owner = clock.fork("owner", () -> {
            TaskGroup group = TaskGroup.open(CompletionPolicy.supervise());
            group.fork("quick", () -> "done");
            group.fork("sleeper", () -> {
                try {
                    Cancellation.sleep(Duration.ofHours(1));
                } finally {
                    sleeperEnded.countDown();
                }
            });
            group.fork("stuck", stuck::run);
            stuck.started.await();
            report.set(group.close(Duration.ofSeconds(2)));
            closeReturned.set(true);
        });
        stuck.awaitStuck();
        sleeperEnded.await();
        awaitParticipants(clock, 2); // the owner and the straggler: the sleeper's end is complete
        clock.awaitParked(1); // the owner, waiting for the straggler within the grace
        Forked.awaitBlockedIn(owner, "Waits", "awaitEither");

        clock.advance(Duration.ofSeconds(2).minusNanos(1));
        Forked.awaitBlockedIn(owner, "Waits", "awaitEither");
        assertThat(closeReturned).as("returned before the grace had passed").isFalse();

        clock.advance(Duration.ofNanos(1));
        clock.join(owner);
        TaskReport r = report.get();
        assertThat(r.abandoned()).containsExactly("stuck");
        assertThat(r.completed()).containsExactly("quick");
        assertThat(r.cancelled()).containsExactly("sleeper");
        TaskResult s = r.get("stuck").orElseThrow();
        assertThat(s.outcome()).isEqualTo(TaskOutcome.ABANDONED);
        assertThat(s.duration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.toString()).contains("stuck").contains("ABANDONED");
        assertThat(Arrays.stream(s.stack()).map(StackTraceElement::getMethodName)).contains("stuckInCleanup");
        assertThat(r.endOrder()).extracting(TaskResult::name).containsExactlyInAnyOrder("quick", "sleeper", "stuck");
        assertThat(r.endOrder().getLast().name()).isEqualTo("stuck");
        assertThat(stuck.thread.isAlive()).as("an abandoned task is left running").isTrue();

        stuck.release.countDown();
        stuck.ended.await();
        stuck.thread.join();
    }

    @Test
    @DisplayName("close(grace) when every task honours the cancel: no ABANDONED, and it returns when the last one ends")
    void boundedCloseWithoutStragglers() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> {
            TaskGroup group = TaskGroup.open(CompletionPolicy.supervise());
            for (int i = 0; i < 5; i++) {
                long cleanupMillis = 100L * (i + 1);
                group.fork("t" + i, () -> {
                    try {
                        Cancellation.sleep(Duration.ofHours(1));
                    } finally {
                        // shielded cleanup: not interrupted by the cancel (C6), takes virtual time
                        Cancellation.shielded(Duration.ofSeconds(5), () -> Cancellation.sleep(Duration.ofMillis(cleanupMillis)));
                    }
                });
            }
            Cancellation.sleep(Duration.ofMillis(10));
            TaskReport r = group.close(Duration.ofSeconds(1));
            assertThat(r.abandoned()).isEmpty();
            assertThat(r.cancelled()).containsExactly("t0", "t1", "t2", "t3", "t4");
            assertThat(clock.nanoTime()).as("returned when the slowest cleanup ended, not at the grace")
                    .isEqualTo(Duration.ofMillis(510).toNanos());
            group.close(); // harmless after a bounded close
        });
    }

    @Test
    @DisplayName("C1 plain close() waits for a straggler however long it ignores the cancel (ordered steps)")
    void plainCloseWaitsForStraggler() throws Exception {
        checkCloseWaits(false);
    }

    @Test
    @DisplayName("C1 join() after cancelAll waits for a straggler however long it ignores the cancel (ordered steps)")
    void joinWaitsForStraggler() throws Exception {
        checkCloseWaits(true);
    }

    private static void checkCloseWaits(boolean joinFirst) throws Exception {
        VirtualClock clock = VirtualClock.create();
        Steps steps = new Steps();
        Straggler stuck = new Straggler();
        AtomicReference<TaskOutcome> outcome = new AtomicReference<>();
        Thread owner = clock.fork("owner", () -> {
            TaskGroup group = TaskGroup.open();
            Task<Void> t = group.fork("stuck", () -> {
                stuck.run();
                steps.expect(3);
            });
            stuck.started.await();
            steps.expect(1);
            if (joinFirst) {
                group.cancelAll("stop");
                group.join();
                steps.expect(4);
                group.close();
            } else {
                try {
                    group.close();
                } catch (IllegalStateException notJoined) {
                    steps.expect(4);
                }
            }
            outcome.set(t.result().orElseThrow().outcome());
        });
        stuck.awaitStuck();
        Forked.awaitBlockedIn(owner, "TaskGroup", "awaitAll");
        clock.advance(Duration.ofDays(1)); // a day of virtual time: it still waits
        Forked.awaitBlockedIn(owner, "TaskGroup", "awaitAll");
        steps.expect(2);
        stuck.release.countDown();
        clock.join(owner);
        steps.finish(5);
        assertThat(stuck.thread.isAlive()).isFalse();
        assertThat(outcome.get()).as("restored the interrupt flag and returned").isEqualTo(TaskOutcome.COMPLETED_AFTER_CANCEL);
    }

    @Test
    @DisplayName("regression: a second close(grace) after an abandonment threw NoSuchElementException")
    void secondBoundedCloseAfterAbandonment() throws Exception {
        VirtualClock clock = VirtualClock.create();
        Straggler stuck = new Straggler();
        AtomicReference<TaskReport> first = new AtomicReference<>();
        AtomicReference<Throwable> secondFailure = new AtomicReference<>();
        AtomicReference<TaskReport> second = new AtomicReference<>();
        Thread owner = clock.fork("owner", () -> {
            TaskGroup group = TaskGroup.open();
            group.fork("stuck", stuck::run);
            stuck.started.await();
            first.set(group.close(Duration.ofSeconds(1)));
            try {
                second.set(group.close(Duration.ofSeconds(1)));
                group.close();
            } catch (RuntimeException e) {
                secondFailure.set(e);
            }
        });
        stuck.awaitStuck();
        clock.awaitParked(1);
        clock.advance(Duration.ofSeconds(1));
        clock.join(owner);
        try {
            assertThat(secondFailure.get()).isNull();
            assertThat(first.get().abandoned()).containsExactly("stuck");
            assertThat(second.get().abandoned()).containsExactly("stuck");
        } finally {
            stuck.release.countDown();
            stuck.ended.await();
        }
    }

    @Test
    @DisplayName("regression: two stragglers with the same name were both reported with the first one's stack")
    void sameNamedStragglersKeepTheirOwnStacks() throws Exception {
        VirtualClock clock = VirtualClock.create();
        CountDownLatch caught = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(2);
        java.util.Queue<Thread> threads = new java.util.concurrent.ConcurrentLinkedQueue<>();
        AtomicReference<TaskReport> report = new AtomicReference<>();
        Thread owner = clock.fork("owner", () -> {
            TaskGroup group = TaskGroup.open();
            group.fork("worker", () -> {
                threads.add(Thread.currentThread());
                stuckInA(started, caught, release);
            });
            group.fork("worker", () -> {
                threads.add(Thread.currentThread());
                stuckInB(started, caught, release);
            });
            started.await();
            report.set(group.close(Duration.ofSeconds(1)));
        });
        caught.await();
        for (Thread t : threads) {
            Forked.awaitBlockedIn(t, "TaskGroupTest", "awaitUninterruptibly");
        }
        clock.awaitParked(1);
        clock.advance(Duration.ofSeconds(1));
        clock.join(owner);
        release.countDown();
        List<TaskResult> tasks = report.get().tasks();
        assertThat(tasks).extracting(TaskResult::outcome).containsOnly(TaskOutcome.ABANDONED);
        assertThat(Arrays.stream(tasks.get(0).stack()).map(StackTraceElement::getMethodName)).contains("stuckInA");
        assertThat(Arrays.stream(tasks.get(1).stack()).map(StackTraceElement::getMethodName)).contains("stuckInB");
        assertThat(report.get().endOrder()).hasSize(2);
    }

    @Test
    @DisplayName("regression: a straggler that ends just after the grace was listed twice in the end order")
    void stragglerEndingAtTheGraceIsReportedOnce() throws Exception {
        for (int i = 0; i < 20; i++) {
            VirtualClock clock = VirtualClock.create();
            Straggler stuck = new Straggler();
            AtomicReference<TaskGroup> groupRef = new AtomicReference<>();
            AtomicReference<TaskReport> report = new AtomicReference<>();
            Thread owner = clock.fork("owner", () -> {
                TaskGroup group = TaskGroup.open();
                groupRef.set(group);
                group.fork("stuck", stuck::run);
                stuck.started.await();
                report.set(group.close(Duration.ofSeconds(1)));
            });
            stuck.awaitStuck();
            clock.awaitParked(1);
            // Hold the monitor of the group's ledger: the straggler ends just before the grace passes but
            // cannot record its end yet; the owner gives up on it and waits for the monitor to build the report.
            synchronized (groupRef.get().ledger()) {
                stuck.release.countDown();
                awaitBlockedOnLedger(stuck.thread, "taskEnded"); // ended, result published, recording it
                clock.advance(Duration.ofSeconds(1));
                awaitBlockedOnLedger(owner, "report"); // gave up on it; building the report
            }
            clock.join(owner);
            stuck.ended.await();
            TaskReport r = report.get();
            assertThat(r.tasks()).extracting(TaskResult::outcome).containsExactly(TaskOutcome.ABANDONED);
            assertThat(r.endOrder()).as("iteration " + i).extracting(TaskResult::name).containsExactly("stuck");
        }
    }

    /** Waits until {@code t} waits for a monitor in one of these methods of {@link TaskLedger} (its innermost frame there). */
    static void awaitBlockedOnLedger(Thread t, String... methods) {
        long end = System.nanoTime() + Forked.LIMIT.toNanos();
        while (true) {
            if (t.getState() == Thread.State.BLOCKED) {
                for (StackTraceElement e : t.getStackTrace()) {
                    if (e.getClassName().startsWith("org.cancelkit.") && !e.getClassName().equals(TaskLedger.class.getName())) {
                        break; // blocked inside another cancelkit class (a node's monitor, briefly): not what we wait for
                    }
                    if (e.getClassName().equals(TaskLedger.class.getName())) {
                        if (List.of(methods).contains(e.getMethodName())) {
                            return;
                        }
                        break;
                    }
                }
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError(t + " never blocked in TaskLedger." + List.of(methods) + "; it is at:\n" + Forked.stack(t));
            }
            Thread.yield();
        }
    }

    /** Waits (real time, bounded) until the clock counts exactly {@code n} participants: an event, not a delay. */
    static void awaitParticipants(VirtualClock clock, int n) {
        long end = System.nanoTime() + Forked.LIMIT.toNanos();
        while (clock.participants() != n) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("expected " + n + " participants, saw " + clock.participants());
            }
            Thread.yield();
        }
    }

    static void stuckInA(CountDownLatch started, CountDownLatch caught, CountDownLatch release) {
        straggle(started, caught, release);
    }

    static void stuckInB(CountDownLatch started, CountDownLatch caught, CountDownLatch release) {
        straggle(started, caught, release);
    }

    private static void straggle(CountDownLatch started, CountDownLatch caught, CountDownLatch release) {
        started.countDown();
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            caught.countDown();
            TaskGroupTest.awaitUninterruptibly(release);
            Thread.currentThread().interrupt(); // restore: it was cancelled
        }
    }
}
