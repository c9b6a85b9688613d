package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cancelkit.TaskGroupTest.catchThrowable;
import static org.cancelkit.TaskGroupTest.ms;
import static org.cancelkit.TaskGroupTest.onVirtualTime;
import static org.cancelkit.TaskGroupTest.awaitUninterruptibly;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskGroup}'s owner: confinement (fork, join and close from the opening thread only), the
 * misuse errors, the owner's token flowing down (C2), and an owner interrupted inside join or close
 * (C1: it keeps waiting; close keeps the interrupt status), on virtual and platform threads.
 */
@org.junit.jupiter.api.Timeout(60)
class TaskGroupOwnerTest {

    // ------------------------------------------------------------------ owner confinement and misuse

    @Test
    @DisplayName("fork, join and close from another thread than the owner fail with a message that says what to do")
    void ownerConfinement() throws Exception {
        try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
            group.fork("mine", () -> {});
            Forked<Throwable> other = ThreadKind.VIRTUAL.fork(() -> {
                Throwable fork = catchThrowable(() -> group.fork("theirs", () -> {}));
                Throwable join = catchThrowable(group::join);
                Throwable close = catchThrowable(group::close);
                assertThat(join).isInstanceOf(IllegalStateException.class).hasMessageContaining("join()");
                assertThat(close).isInstanceOf(IllegalStateException.class).hasMessageContaining("close()");
                return fork;
            });
            other.join();
            assertThat(other.value()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("fork() must be called by the thread that opened the group")
                    .hasMessageContaining("open a group in the task that forks");
            // a task of the group is another thread too
            Task<?> inner = group.fork("nests wrongly", () -> group.fork("x", () -> {}));
            TaskReport r = group.join();
            assertThat(r.tasks()).extracting(TaskResult::name).containsExactly("mine", "nests wrongly");
            assertThat(inner.result().orElseThrow().failure()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("must be called by the thread that opened the group");
        }
    }

    @Test
    @DisplayName("fork after join, join twice, join after close: IllegalStateException saying what to do")
    void forkAfterJoinAndJoinTwice() throws Exception {
        TaskGroup group = TaskGroup.open();
        group.fork("a", () -> {});
        group.join();
        assertThatThrownBy(() -> group.fork("b", () -> {})).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot fork 'b'").hasMessageContaining("already joined")
                .hasMessageContaining("fork every task before join()");
        assertThatThrownBy(group::join).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("join() was already called");
        group.close();
        group.close(); // idempotent
        assertThatThrownBy(() -> group.fork("c", () -> {})).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already closed");
        assertThatThrownBy(group::join).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("join() was already called and the group closed");
    }

    @Test
    @DisplayName("regression: join after a close without join says the group was closed, not that join was called")
    void joinAfterCloseWithoutJoinSaysClosed() throws Exception {
        TaskGroup group = TaskGroup.open();
        group.fork("a", () -> {});
        assertThatThrownBy(group::close).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(group::join).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed")
                .hasMessageNotContaining("already called");
    }

    @Test
    @DisplayName("C1 close without join: cancels, waits for every task, then throws a helpful IllegalStateException")
    void closeWithoutJoin() throws Exception {
        AtomicBoolean ended = new AtomicBoolean();
        AtomicReference<Task<Void>> handle = new AtomicReference<>();
        VirtualClock clock = onVirtualTime(() -> assertThatThrownBy(() -> {
            try (TaskGroup group = TaskGroup.open()) {
                handle.set(group.fork("sleeper", () -> {
                    try {
                        Cancellation.sleep(Duration.ofHours(1));
                    } finally {
                        ended.set(true);
                    }
                }));
                Cancellation.sleep(ms(5));
            }
        }).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed without join()")
                .hasMessageContaining("1 tasks were cancelled and have ended")
                .hasMessageContaining("call join() before close()"));
        assertThat(ended).as("C1: the task ended before close threw").isTrue();
        assertThat(handle.get().result().orElseThrow().outcome()).isEqualTo(TaskOutcome.CANCELLED_WHILE_RUNNING);
        assertThat(clock.nanoTime()).isEqualTo(ms(5).toNanos());
    }

    @Test
    @DisplayName("a null name or body is a NullPointerException naming it")
    void nulls() {
        try (TaskGroup group = TaskGroup.open()) {
            assertThatThrownBy(() -> group.fork(null, () -> {})).isInstanceOf(NullPointerException.class).hasMessage("name");
            assertThatThrownBy(() -> group.fork("x", (CheckedRunnable<?>) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> TaskGroup.open(null)).isInstanceOf(NullPointerException.class).hasMessage("policy");
            assertThat(catchThrowable(group::join)).isNull();
        }
    }

    // ------------------------------------------------------------------ the owner's token and interrupts

    @Test
    @DisplayName("C2 the group's token is a child of the owner's: cancelling the owner's token cancels the tasks")
    void ownerTokenFlowsDown() throws Exception {
        onVirtualTime(() -> {
            CancellationSource owner = CancellationSource.create();
            AtomicReference<Task<Void>> t = new AtomicReference<>();
            assertThatThrownBy(() -> owner.call(() -> {
                try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                    t.set(group.fork("t", () -> Cancellation.sleep(Duration.ofHours(1))));
                    group.fork("canceller", () -> {
                        Cancellation.sleep(ms(30));
                        owner.cancel("from above");
                    });
                    return group.join(); // a cancellation point: the cancel came from outside the group
                }
            })).isInstanceOf(CancelledException.class).hasMessageContaining("from above");
            TaskResult r = t.get().result().orElseThrow();
            assertThat(r.outcome()).isEqualTo(TaskOutcome.CANCELLED_WHILE_RUNNING);
            assertThat(r.duration()).isEqualTo(ms(30));
        });
    }

    @Test
    @DisplayName("regression: join in an owner whose token is cancelled threw InterruptedException for cancelkit's own "
            + "interrupt; now it waits for every task, then throws CancelledException")
    void joinInCancelledOwnerThrowsCancelledAfterTheTasksEnded() throws Exception {
        for (int i = 0; i < 200; i++) {
            CancellationSource owner = CancellationSource.create();
            AtomicReference<Task<Void>> t = new AtomicReference<>();
            AtomicReference<Throwable> fromJoin = new AtomicReference<>();
            assertThatThrownBy(() -> owner.call(() -> {
                try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                    CountDownLatch blocked = new CountDownLatch(1);
                    t.set(group.fork("t", () -> {
                        blocked.countDown();
                        new CountDownLatch(1).await();
                    }));
                    group.fork("canceller", () -> {
                        blocked.await();
                        owner.cancel("from above");
                    });
                    try {
                        return group.join(); // throws CancelledException, not the raw InterruptedException
                    } catch (Throwable e) {
                        fromJoin.set(e);
                        throw e;
                    }
                }
            })).isInstanceOf(CancelledException.class);
            assertThat(fromJoin.get()).isInstanceOf(CancelledException.class);
            assertThat(t.get().result().orElseThrow().outcome()).isEqualTo(TaskOutcome.CANCELLED_WHILE_RUNNING);
            assertThat(Thread.currentThread().isInterrupted()).as("C4: cleared when the region ends").isFalse();
        }
    }

    @Test
    @DisplayName("cancelling a task's group from inside never cancels the owner's token (C2: down only)")
    void cancelDoesNotFlowUp() throws Exception {
        onVirtualTime(() -> {
            CancellationSource owner = CancellationSource.create();
            owner.run(() -> {
                try (TaskGroup group = TaskGroup.open()) {
                    group.fork("x", () -> {
                        throw new IOException("fails fast");
                    });
                    assertThatThrownBy(group::join).isInstanceOf(TaskFailedException.class);
                    assertThat(group.token().isCancelled()).isTrue();
                }
            });
            assertThat(owner.isCancelled()).isFalse();
        });
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "owner on a {0} thread")
    @org.junit.jupiter.params.provider.MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C1 an owner interrupted inside close() keeps waiting for a straggler and keeps its interrupt status")
    void ownerInterruptedInsideClose(ThreadKind kind) throws Exception {
        Steps steps = new Steps();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stragglerCaughtCancel = new CountDownLatch(1);
        AtomicBoolean closeReturned = new AtomicBoolean();
        Forked<Boolean> owner = kind.fork(() -> {
            TaskGroup group = TaskGroup.open();
            CountDownLatch started = new CountDownLatch(1);
            group.fork("straggler", () -> {
                try {
                    started.countDown();
                    new CountDownLatch(1).await(); // blocks until cancelled
                } catch (InterruptedException e) {
                    stragglerCaughtCancel.countDown();
                    awaitUninterruptibly(release); // ignores the cancel for a while
                    steps.expect(2);
                    Thread.currentThread().interrupt(); // restored before returning, as a good citizen does
                }
            });
            started.await(); // the body runs: close cancels it while running, not before it started
            steps.expect(1);
            assertThatThrownBy(group::close).isInstanceOf(IllegalStateException.class); // not joined
            steps.expect(3);
            closeReturned.set(true);
            return Thread.currentThread().isInterrupted();
        });
        stragglerCaughtCancel.await();
        Forked.awaitBlockedIn(owner.thread, "TaskGroup", "awaitAll");
        owner.thread.interrupt();
        Forked.awaitBlockedIn(owner.thread, "TaskGroup", "awaitAll"); // still waiting after the interrupt
        assertThat(closeReturned).as("close returned before the straggler ended").isFalse();
        release.countDown();
        owner.join();
        assertThat(owner.value()).as("the owner's interrupt status after close").isTrue();
        steps.finish(4);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "owner on a {0} thread")
    @org.junit.jupiter.params.provider.MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("an owner interrupted inside join() waits for every task, then throws InterruptedException")
    void ownerInterruptedInsideJoin(ThreadKind kind) throws Exception {
        ownerInterruptedWhileJoining(kind, null, "joinThreads"); // the system clock: the owner joins the threads
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "owner on a {0} thread")
    @org.junit.jupiter.params.provider.MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("on a clock with a service the owner waits on the gate; interrupted there, it waits for every task, "
            + "then throws InterruptedException")
    void ownerInterruptedInsideJoinOnAVirtualClock(ThreadKind kind) throws Exception {
        ownerInterruptedWhileJoining(kind, VirtualClock.create(), "awaitGate"); // a cancelkit wait, which the clock sees
    }

    /**
     * Interrupts an owner once it waits in {@code TaskRuns.waitsIn} for a task stuck on a latch; join
     * must wait for the task's end and then throw. The owner runs on {@code clock} when one is given.
     */
    private static void ownerInterruptedWhileJoining(ThreadKind kind, MonotonicClock clock, String waitsIn)
            throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        AtomicBoolean taskEnded = new AtomicBoolean();
        CheckedCallable<TaskOutcome, Exception> body = () -> {
            try (TaskGroup group = TaskGroup.open()) {
                Task<Void> t = group.fork("t", () -> {
                    try {
                        blocked.countDown();
                        new CountDownLatch(1).await();
                    } finally {
                        taskEnded.set(true);
                    }
                });
                assertThatThrownBy(group::join).isInstanceOf(InterruptedException.class)
                        .hasMessageContaining("every task has ended");
                assertThat(taskEnded).isTrue();
                return t.result().orElseThrow().outcome();
            }
        };
        Forked<TaskOutcome> owner = kind.fork(clock == null ? body : () -> clock.call(body));
        blocked.await();
        Forked.awaitBlockedIn(owner.thread, "TaskRuns", waitsIn);
        owner.thread.interrupt();
        owner.join();
        assertThat(owner.value()).isEqualTo(TaskOutcome.CANCELLED_WHILE_RUNNING);
        assertThat(owner.interruptedAfter()).as("the InterruptedException carried the interrupt").isFalse();
    }

    @Test
    @DisplayName("regression: an interrupt that came while fork reaped an ended task's thread was lost; fork keeps it")
    void forkKeepsAnInterruptThatCameWhileItReaped() throws Exception {
        // A clock whose service holds the first task's thread after its end is pushed (TaskRun#end counts
        // the participant out last), so the next fork's reap must wait for that thread.
        AtomicReference<Thread> held = new AtomicReference<>();
        CountDownLatch inEnd = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        org.cancelkit.spi.ClockService service = new org.cancelkit.spi.ClockService() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void arm(org.cancelkit.spi.TimerTask task) {} // no task here uses a timer

            @Override
            public void participants(int delta) {
                if (delta < 0 && Thread.currentThread() == held.get()) {
                    inEnd.countDown();
                    awaitUninterruptibly(release);
                }
            }
        };
        MonotonicClock clock = new MonotonicClock(service) {};
        AtomicBoolean keptAfterFork = new AtomicBoolean();
        Forked<Void> owner = ThreadKind.PLATFORM.forkRun(() -> clock.run(() -> {
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                group.fork("first", () -> {
                    held.set(Thread.currentThread());
                    return null;
                });
                inEnd.await(); // "first" has ended and is on the ending stack; its thread is still alive
                Thread.currentThread().interrupt(); // the caller's own interrupt, pending as fork reaps
                group.fork("second", () -> null);
                keptAfterFork.set(Thread.interrupted());
                group.join();
            }
        }));
        Forked.awaitBlockedIn(owner.thread, "Waits", "joinThread"); // the reap waits for "first"'s thread
        release.countDown();
        owner.join();
        assertThat(keptAfterFork).as("the owner's interrupt status after fork").isTrue();
    }
}
