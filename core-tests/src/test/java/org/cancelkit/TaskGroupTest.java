package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskGroup}: a fast and a slow task cancelled together, every {@link TaskOutcome}, and the
 * cancellation-point exploration of fork/join/close. Everything on a {@link VirtualClock}: no test
 * waits on the real clock, and durations are exact. Policies: {@link TaskGroupPolicyTest}; the owner:
 * {@link TaskGroupOwnerTest}; the bounded close: {@link TaskGroupBoundedCloseTest}.
 */
@org.junit.jupiter.api.Timeout(60)
class TaskGroupTest {

    static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    /** Runs {@code body} on a fresh auto-advancing virtual clock. */
    static <X extends Exception> VirtualClock onVirtualTime(CheckedRunnable<X> body) throws X {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(body);
        return clock;
    }

    // ------------------------------------------------------------------ fast and slow, cancelAll

    @Test
    @DisplayName("C1 cancelAll: fast (100 ms) completes, slow (10 s) is cancelled at 200 ms")
    void fastCompletesSlowIsCancelled() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        AtomicBoolean slowEnded = new AtomicBoolean();
        clock.run(() -> {
            TaskReport result;
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                group.fork("fast", () -> Cancellation.sleep(ms(100)));
                group.fork("slow", () -> {
                    try {
                        Cancellation.sleep(Duration.ofSeconds(10));
                    } finally {
                        slowEnded.set(true);
                    }
                });
                Cancellation.sleep(ms(200));
                group.cancelAll("enough");
                result = group.join();
                assertThat(slowEnded).as("C1: slow has ended when join returns").isTrue();
            }
            assertThat(clock.nanoTime()).as("the cancel came at 200 ms and nothing waited longer")
                    .isEqualTo(ms(200).toNanos());
            assertThat(result.completed()).containsExactly("fast");
            assertThat(result.cancelled()).containsExactly("slow");
            assertThat(result.failed()).isEmpty();
            assertThat(result.get("fast").orElseThrow().duration()).isEqualTo(ms(100));
            assertThat(result.get("slow").orElseThrow().duration()).isEqualTo(ms(200));
            assertThat(result.get("slow").orElseThrow().outcome()).isEqualTo(TaskOutcome.CANCELLED_WHILE_RUNNING);
            assertThat(result.get("slow").orElseThrow().failure())
                    .isInstanceOf(CancelledException.class)
                    .satisfies(e -> assertThat(((CancelledException) e).reason().message()).isEqualTo("enough"));
            assertThat(result.endOrder()).extracting(TaskResult::name).containsExactly("fast", "slow");
        });
    }

    @Test
    @DisplayName("negative control: without cancelAll, the slow task completes and the counts differ")
    void fastAndSlowWithoutCancel() throws Exception {
        onVirtualTime(() -> {
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                group.fork("fast", () -> Cancellation.sleep(ms(100)));
                group.fork("slow", () -> Cancellation.sleep(Duration.ofSeconds(10)));
                Cancellation.sleep(ms(200));
                TaskReport result = group.join();
                assertThat(result.completed()).containsExactly("fast", "slow");
                assertThat(result.cancelled()).isEmpty();
            }
        });
    }

    // ------------------------------------------------------------------ every outcome

    @Test
    @DisplayName("every TaskOutcome but ABANDONED in one group, each reported with its value, failure and duration")
    void everyOutcome() throws Exception {
        IOException boom = new IOException("boom");
        onVirtualTime(() -> {
            TaskReport report;
            Task<String> completed;
            Task<Void> failed;
            Task<Void> running;
            Task<String> stubborn;
            Task<String> late;
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                completed = group.fork("completed", () -> {
                    Cancellation.sleep(ms(10));
                    return "value";
                });
                failed = group.fork("failed", () -> {
                    Cancellation.sleep(ms(20));
                    throw boom;
                });
                running = group.fork("running", () -> Cancellation.sleep(Duration.ofHours(1)));
                stubborn = group.fork("stubborn", () -> {
                    try {
                        Cancellation.sleep(Duration.ofHours(1));
                        return "slept";
                    } catch (CancelledException e) {
                        return "finished anyway"; // ignores the cancel and completes
                    }
                });
                Cancellation.sleep(ms(50));
                group.cancelAll("stop");
                late = group.fork("late", () -> "never runs");
                report = group.join();
            }
            assertThat(report.tasks()).extracting(TaskResult::name)
                    .containsExactly("completed", "failed", "running", "stubborn", "late");
            assertThat(report.tasks()).extracting(TaskResult::outcome).containsExactly(
                    TaskOutcome.COMPLETED, TaskOutcome.FAILED, TaskOutcome.CANCELLED_WHILE_RUNNING,
                    TaskOutcome.COMPLETED_AFTER_CANCEL, TaskOutcome.CANCELLED_BEFORE_START);
            assertThat(report.tasks()).extracting(TaskResult::duration)
                    .containsExactly(ms(10), ms(20), ms(50), ms(50), Duration.ZERO);
            assertThat(report.completed()).containsExactly("completed", "stubborn");
            assertThat(report.cancelled()).containsExactly("running", "late");
            assertThat(report.failed()).containsExactly("failed");
            assertThat(report.abandoned()).isEmpty();

            assertThat(completed.get()).isEqualTo("value");
            assertThat(stubborn.get()).isEqualTo("finished anyway");
            assertThat(report.get("failed").orElseThrow().failure()).isSameAs(boom);
            assertThat(report.get("running").orElseThrow().failure()).isInstanceOf(CancelledException.class);
            assertThat(report.get("late").orElseThrow().failure()).isNull();
            assertThat(report.get("late").orElseThrow().value()).isNull();
            assertThat(report.get("completed").orElseThrow().stack()).isEmpty();
            assertThatThrownBy(failed::get).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("did not complete").hasMessageContaining("FAILED").hasCause(boom);
            assertThatThrownBy(running::get).hasMessageContaining("CANCELLED_WHILE_RUNNING");
            assertThatThrownBy(late::get).hasMessageContaining("CANCELLED_BEFORE_START");
            assertThat(late.isDone()).isTrue();
            assertThat(report.get("nobody")).isEmpty();
        });
    }

    @Test
    @DisplayName("a task cancelled before it was forked never starts a thread, and the body never runs")
    void cancelledBeforeStartNeverRuns() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        onVirtualTime(() -> {
            try (TaskGroup group = TaskGroup.open()) {
                group.cancelAll(CancelReason.shutdown("going down"));
                Task<Void> t = group.fork("t", () -> ran.set(true));
                assertThat(t.isDone()).as("ended at fork").isTrue();
                TaskReport r = group.join();
                assertThat(r.get("t").orElseThrow().outcome()).isEqualTo(TaskOutcome.CANCELLED_BEFORE_START);
            }
        });
        assertThat(ran).isFalse();
    }

    @Test
    @DisplayName("a task's handle says 'not ended' before join, and the task inherits the owner's deadline")
    void handleBeforeJoinAndInheritedDeadline() throws Exception {
        onVirtualTime(() -> Timeout.run(Duration.ofSeconds(5), () -> {
            try (TaskGroup group = TaskGroup.open()) {
                CountDownLatch release = new CountDownLatch(1);
                AtomicReference<Duration> remaining = new AtomicReference<>();
                Task<Void> t = group.fork("t", () -> {
                    remaining.set(Cancellation.current().remaining().orElseThrow());
                    release.await();
                });
                assertThat(t.isDone()).isFalse();
                assertThat(t.result()).isEmpty();
                assertThat(t.toString()).contains("running");
                assertThatThrownBy(t::get).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("has not ended yet").hasMessageContaining("join()");
                release.countDown();
                group.join();
                assertThat(remaining.get()).as("C3: the task sees the owner's deadline").isEqualTo(Duration.ofSeconds(5));
            }
        }));
    }

    // ------------------------------------------------------------------ cancellation-point exploration

    /** A group of three tasks (one with a shielded cleanup, one failing) explored at every point. */
    static final class GroupCase implements TaskGroupPointExplorer.Case {
        final String policy;
        final boolean bounded;
        final NoOrphanThreadsTest.Census census = new NoOrphanThreadsTest.Census();
        final List<Task<?>> tasks = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicReference<TaskReport> report = new AtomicReference<>();
        final AtomicBoolean cleanupCompleted = new AtomicBoolean();
        final AtomicBoolean cleanupStarted = new AtomicBoolean();

        GroupCase(String policy, boolean bounded) {
            this.policy = policy;
            this.bounded = bounded;
        }

        @Override
        public Object call() throws Exception {
            CompletionPolicy p = switch (policy) {
                case "failFast" -> CompletionPolicy.failFast();
                case "supervise" -> CompletionPolicy.supervise();
                default -> CompletionPolicy.firstSuccess();
            };
            TaskGroup group = TaskGroup.open(p);
            try {
                tasks.add(group.fork("a", TaskGroupPointExplorer.inherit(census.track(() -> {
                    Cancellation.check();
                    Cancellation.sleep(ms(10));
                    return "a";
                }))));
                tasks.add(group.fork("b", TaskGroupPointExplorer.inherit(census.trackRun(() -> {
                    Cancellation.sleep(ms(5));
                    Cancellation.check();
                    throw new IOException("b failed");
                }))));
                tasks.add(group.fork("c", TaskGroupPointExplorer.inherit(census.trackRun(() -> {
                    try {
                        Cancellation.sleep(ms(30));
                    } finally {
                        cleanupStarted.set(true);
                        Cancellation.shielded(Duration.ofSeconds(1), () -> Cancellation.sleep(ms(3)));
                        cleanupCompleted.set(true);
                    }
                }))));
                Cancellation.check();
                if (bounded) {
                    Cancellation.sleep(ms(1)); // every task is in its first wait: close cancels them there
                    report.set(group.close(Duration.ofSeconds(1)));
                } else {
                    try {
                        report.set(group.join());
                    } catch (TaskFailedException e) {
                        // fail-fast: b's failure; the report is read from the handles below
                    }
                }
            } finally {
                if (!bounded) {
                    try {
                        group.close();
                    } catch (IllegalStateException notJoined) {
                        // the explorer cancelled before join: close still waited for everyone
                    }
                } else {
                    group.close(Duration.ofSeconds(1)); // after a cancel before the bounded close
                }
            }
            Cancellation.check();
            return "done";
        }

        @Override
        public void check(TaskGroupPointExplorer.Run run) {
            assertThat(census.violations()).as("C1: nothing left running after close").isEmpty();
            assertThat(tasks).allMatch(Task::isDone);
            if (cleanupStarted.get()) {
                assertThat(cleanupCompleted).as("C6: the shielded cleanup ran to its end").isTrue();
            }
            TaskReport r = report.get();
            if (r != null) {
                assertThat(r.abandoned()).isEmpty();
                assertThat(r.endOrder()).hasSameSizeAs(r.tasks());
            }
            if (run.cancelled()) {
                assertThat(run.failure()).isInstanceOf(CancelledException.class);
            } else {
                assertThat(run.value()).isEqualTo("done");
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}, bounded close: {1}")
    @org.junit.jupiter.params.provider.CsvSource({"failFast,false", "supervise,false", "firstSuccess,false", "supervise,true"})
    @DisplayName("C1 cancellation-point exploration of fork/join/close: nothing left running, cleanup complete, at every point")
    void explored(String policy, boolean bounded) throws Exception {
        TaskGroupPointExplorer.Result r = TaskGroupPointExplorer.explore(() -> new GroupCase(policy, bounded));
        System.out.println("task group " + policy + (bounded ? " bounded" : "") + ": " + r);
        assertThat(r.points()).isGreaterThanOrEqualTo(bounded ? 7 : 8);
        assertThat(r.violations()).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // a straggler ignores interrupts; the flag is restored below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // restore: the caller decides what to do with it
        }
    }

    static Throwable catchThrowable(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
        return org.assertj.core.api.Assertions.catchThrowable(c);
    }
}
