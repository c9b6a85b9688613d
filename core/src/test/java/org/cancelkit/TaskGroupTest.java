package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskGroup}: the seed's {@code test_task_group}, every {@link TaskOutcome}, every built-in
 * policy and a custom one, and owner confinement. Everything on a {@link VirtualClock}: no test waits on
 * the real clock, and durations are exact.
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

    // ------------------------------------------------------------------ the seed's exercise

    @Test
    @DisplayName("C1 seed test_task_group: fast (100 ms) completes, slow (10 s) is cancelled at 200 ms")
    void seedTestTaskGroup() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        AtomicBoolean slowEnded = new AtomicBoolean();
        clock.run(() -> {
            TaskGroup.Report result;
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
    @DisplayName("negative control: without cancelAll, the seed's slow task completes and the counts differ")
    void seedTestTaskGroupWithoutCancel() throws Exception {
        onVirtualTime(() -> {
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                group.fork("fast", () -> Cancellation.sleep(ms(100)));
                group.fork("slow", () -> Cancellation.sleep(Duration.ofSeconds(10)));
                Cancellation.sleep(ms(200));
                TaskGroup.Report result = group.join();
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
            TaskGroup.Report report;
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
                TaskGroup.Report r = group.join();
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

    // ------------------------------------------------------------------ policies

    @Test
    @DisplayName("fail-fast: the first failure cancels the siblings; join throws it with the others suppressed")
    void failFast() throws Exception {
        IllegalStateException first = new IllegalStateException("first");
        IllegalStateException second = new IllegalStateException("cleanup of b failed");
        onVirtualTime(() -> {
            TaskGroup group = TaskGroup.open(); // fail-fast is the default
            Task<Void> a;
            Task<Void> b;
            Task<Void> c;
            try (group) {
                a = group.fork("a", () -> {
                    Cancellation.sleep(ms(100));
                    throw first;
                });
                b = group.fork("b", () -> {
                    try {
                        Cancellation.sleep(Duration.ofSeconds(10));
                    } catch (CancelledException e) {
                        throw second; // fails while handling the cancel
                    }
                });
                c = group.fork("c", () -> Cancellation.sleep(Duration.ofSeconds(10)));
                assertThatThrownBy(group::join).isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.taskName()).isEqualTo("a");
                    assertThat(e.getCause()).isSameAs(first);
                    assertThat(e.getSuppressed()).containsExactly(second);
                    assertThat(e.getMessage()).contains("'a'").contains("first");
                });
            }
            assertThat(a.result().orElseThrow().outcome()).isEqualTo(TaskOutcome.FAILED);
            assertThat(b.result().orElseThrow().outcome()).isEqualTo(TaskOutcome.FAILED);
            assertThat(c.result().orElseThrow().outcome()).isEqualTo(TaskOutcome.CANCELLED_WHILE_RUNNING);
            assertThat(c.result().orElseThrow().duration()).as("cancelled at the first failure").isEqualTo(ms(100));
            CancelReason why = ((CancelledException) c.result().orElseThrow().failure()).reason();
            assertThat(why.kind()).isEqualTo(CancelReason.Kind.SIBLING_FAILED);
            assertThat(why.cause()).contains(first);
            assertThat(group.token().isCancelled()).isTrue();
        });
    }

    @Test
    @DisplayName("supervise: failures cancel nobody; join reports every outcome and does not throw")
    void supervise() throws Exception {
        onVirtualTime(() -> {
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                group.fork("fails", () -> {
                    Cancellation.sleep(ms(10));
                    throw new IOException("x");
                });
                group.fork("fails too", () -> {
                    throw new IllegalArgumentException("y");
                });
                group.fork("runs on", () -> {
                    Cancellation.sleep(Duration.ofSeconds(10));
                    return 42;
                });
                TaskGroup.Report r = group.join();
                assertThat(r.failed()).containsExactlyInAnyOrder("fails", "fails too");
                assertThat(r.completed()).containsExactly("runs on");
                assertThat(r.get("runs on").orElseThrow().value()).isEqualTo(42);
                assertThat(r.get("runs on").orElseThrow().duration()).isEqualTo(Duration.ofSeconds(10));
                assertThat(group.token().isCancelled()).isFalse();
            }
        });
    }

    @Test
    @DisplayName("first-success: failures are passed over, the first value wins, the rest are cancelled")
    void firstSuccess() throws Exception {
        onVirtualTime(() -> {
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.firstSuccess())) {
                group.fork("fails early", () -> {
                    Cancellation.sleep(ms(10));
                    throw new IOException("mirror down");
                });
                group.fork("wins", () -> {
                    Cancellation.sleep(ms(200));
                    return "from mirror 2";
                });
                group.fork("slow", () -> {
                    Cancellation.sleep(Duration.ofSeconds(10));
                    return "from mirror 3";
                });
                TaskGroup.Report r = group.join();
                assertThat(r.get("fails early").orElseThrow().outcome()).isEqualTo(TaskOutcome.FAILED);
                assertThat(r.get("wins").orElseThrow().outcome()).isEqualTo(TaskOutcome.COMPLETED);
                assertThat(r.get("slow").orElseThrow().outcome()).isEqualTo(TaskOutcome.CANCELLED_WHILE_RUNNING);
                assertThat(r.get("slow").orElseThrow().duration()).isEqualTo(ms(200));
                assertThat(r.endOrder()).extracting(TaskResult::name).containsExactly("fails early", "wins", "slow");
            }
        });
    }

    @Test
    @DisplayName("first-success: when every task fails, join throws the first failure with the others suppressed")
    void firstSuccessAllFail() throws Exception {
        IOException e1 = new IOException("1");
        IOException e2 = new IOException("2");
        onVirtualTime(() -> {
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.firstSuccess())) {
                group.fork("b", () -> {
                    Cancellation.sleep(ms(20));
                    throw e2;
                });
                group.fork("a", () -> {
                    Cancellation.sleep(ms(10));
                    throw e1;
                });
                assertThatThrownBy(group::join).isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.taskName()).as("first in end order").isEqualTo("a");
                    assertThat(e.getCause()).isSameAs(e1);
                    assertThat(e.getSuppressed()).containsExactly(e2);
                });
            }
        });
    }

    @Test
    @DisplayName("regression: a first-success group cancelled from outside threw IllegalStateException from join")
    void firstSuccessCancelledFromOutside() throws Exception {
        onVirtualTime(() -> {
            CancellationToken outer = CancellationToken.create();
            outer.run(() -> {
                try (TaskGroup group = TaskGroup.open(CompletionPolicy.firstSuccess())) {
                    group.fork("mirror 1", () -> Cancellation.sleep(Duration.ofSeconds(10)));
                    group.fork("mirror 2", () -> Cancellation.sleep(Duration.ofSeconds(20)));
                    group.fork("canceller", () -> {
                        Cancellation.sleep(ms(10));
                        outer.cancel("user gave up");
                        Cancellation.check();
                    });
                    assertThatThrownBy(group::join).isInstanceOfSatisfying(CancelledException.class,
                            e -> assertThat(e.reason().message()).isEqualTo("user gave up"));
                }
            });
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.firstSuccess())) {
                group.cancelAll("before anything started");
                group.fork("never", () -> "x");
                assertThatThrownBy(group::join).isInstanceOf(CancelledException.class);
            }
            try (TaskGroup empty = TaskGroup.open(CompletionPolicy.firstSuccess())) {
                assertThatThrownBy(empty::join).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("no task of the group completed");
            }
        });
    }

    /** A custom policy: a quorum of {@code n} successes cancels the rest; fewer fails the join. */
    record Quorum(int n) implements CompletionPolicy {
        @Override
        public boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar) {
            return endedSoFar.stream().filter(t -> t.outcome().isSuccess()).count() >= n;
        }

        @Override
        public void onJoin(TaskGroup.Report report) {
            if (report.completed().size() < n) {
                throw new IllegalStateException("no quorum: " + report.completed());
            }
        }
    }

    @Test
    @DisplayName("a custom policy: a quorum of two replicas cancels the third; without quorum join fails")
    void customPolicy() throws Exception {
        onVirtualTime(() -> {
            try (TaskGroup group = TaskGroup.open(new Quorum(2))) {
                group.fork("r1", () -> Cancellation.sleep(ms(10)));
                group.fork("r2", () -> Cancellation.sleep(ms(30)));
                group.fork("r3", () -> Cancellation.sleep(Duration.ofSeconds(10)));
                TaskGroup.Report r = group.join();
                assertThat(r.completed()).containsExactly("r1", "r2");
                assertThat(r.cancelled()).containsExactly("r3");
                assertThat(r.get("r3").orElseThrow().duration()).isEqualTo(ms(30));
            }
            try (TaskGroup group = TaskGroup.open(new Quorum(2))) {
                group.fork("r1", () -> Cancellation.sleep(ms(10)));
                group.fork("r2", () -> {
                    throw new IOException("down");
                });
                assertThatThrownBy(group::join).isInstanceOf(IllegalStateException.class).hasMessageContaining("no quorum");
            }
        });
    }

    @Test
    @DisplayName("a custom policy sees every ended task, one at a time, in end order")
    void customPolicyIsCalledOneAtATime() throws Exception {
        int tasks = 200;
        AtomicBoolean overlap = new AtomicBoolean();
        AtomicBoolean inside = new AtomicBoolean();
        AtomicReference<List<TaskResult>> last = new AtomicReference<>();
        CompletionPolicy policy = new CompletionPolicy() {
            @Override
            public boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar) {
                if (!inside.compareAndSet(false, true)) {
                    overlap.set(true);
                }
                for (int i = 0; i < 100; i++) {
                    Thread.yield(); // widen the window for an overlap
                }
                if (endedSoFar.getLast() != ended) {
                    overlap.set(true);
                }
                last.set(endedSoFar);
                inside.set(false);
                return false;
            }

            @Override
            public void onJoin(TaskGroup.Report report) {}
        };
        try (TaskGroup group = TaskGroup.open(policy)) {
            for (int i = 0; i < tasks; i++) {
                group.fork("t" + i, () -> {});
            }
            TaskGroup.Report r = group.join();
            assertThat(last.get()).containsExactlyElementsOf(r.endOrder());
        }
        assertThat(overlap).as("the policy was called concurrently or out of order").isFalse();
    }

    @Test
    @DisplayName("regression: a custom policy that throws in onTaskEnded used to hang join for ever")
    void throwingPolicyDoesNotHangJoin() throws Exception {
        IllegalArgumentException policyBug = new IllegalArgumentException("policy bug");
        CompletionPolicy broken = new CompletionPolicy() {
            @Override
            public boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar) {
                throw policyBug;
            }

            @Override
            public void onJoin(TaskGroup.Report report) {}
        };
        Forked<Void> owner = ThreadKind.VIRTUAL.forkRun(() -> {
            try (TaskGroup group = TaskGroup.open(broken)) {
                group.fork("quick", () -> {});
                group.fork("sleeper", () -> Cancellation.sleep(Duration.ofHours(1)));
                assertThatThrownBy(group::join).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("completion policy").hasCause(policyBug);
            }
        });
        owner.join(); // fails with a readable message instead of hanging when join never returns
        owner.value();
    }

    @Test
    @DisplayName("a policy may keep endedSoFar: each is an unmodifiable snapshot that later ends do not change")
    void endedSoFarIsASnapshot() throws Exception {
        List<List<TaskResult>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletionPolicy keeper = new CompletionPolicy() {
            @Override
            public boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar) {
                seen.add(endedSoFar);
                return false;
            }

            @Override
            public void onJoin(TaskGroup.Report report) {}
        };
        TaskGroup.Report r;
        try (TaskGroup group = TaskGroup.open(keeper)) {
            for (int i = 0; i < 100; i++) {
                group.fork("t" + i, () -> {});
            }
            r = group.join();
        }
        assertThat(seen).hasSize(100);
        for (int k = 0; k < 100; k++) {
            int n = k + 1;
            List<TaskResult> snapshot = seen.stream().filter(l -> l.size() == n).findFirst().orElseThrow();
            assertThat(snapshot).containsExactlyElementsOf(r.endOrder().subList(0, n));
            assertThatThrownBy(() -> snapshot.add(snapshot.getFirst())).isInstanceOf(UnsupportedOperationException.class);
        }
    }

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
            TaskGroup.Report r = group.join();
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
            CancellationToken owner = CancellationToken.create();
            TaskGroup.Report r = owner.call(() -> {
                try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                    group.fork("t", () -> Cancellation.sleep(Duration.ofHours(1)));
                    group.fork("canceller", () -> {
                        Cancellation.sleep(ms(30));
                        owner.cancel("from above");
                    });
                    return group.join();
                }
            });
            assertThat(r.get("t").orElseThrow().outcome()).isEqualTo(TaskOutcome.CANCELLED_WHILE_RUNNING);
            assertThat(r.get("t").orElseThrow().duration()).isEqualTo(ms(30));
        });
    }

    @Test
    @DisplayName("regression: join in an owner whose token is cancelled returned InterruptedException for cancelkit's own interrupt")
    void joinInCancelledOwnerReturnsTheReport() throws Exception {
        for (int i = 0; i < 200; i++) {
            CancellationToken owner = CancellationToken.create();
            AtomicBoolean flagAfterJoin = new AtomicBoolean();
            TaskGroup.Report r = owner.call(() -> {
                try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                    CountDownLatch blocked = new CountDownLatch(1);
                    group.fork("t", () -> {
                        blocked.countDown();
                        new CountDownLatch(1).await();
                    });
                    group.fork("canceller", () -> {
                        blocked.await();
                        owner.cancel("from above");
                    });
                    TaskGroup.Report report = group.join(); // used to throw InterruptedException
                    flagAfterJoin.set(Thread.currentThread().isInterrupted());
                    return report;
                }
            });
            assertThat(r.get("t").orElseThrow().outcome()).isEqualTo(TaskOutcome.CANCELLED_WHILE_RUNNING);
            assertThat(flagAfterJoin).as("C4: cancelkit's interrupt is still visible inside the region").isTrue();
            assertThat(Thread.currentThread().isInterrupted()).as("C4: and cleared when the region ends").isFalse();
        }
    }

    @Test
    @DisplayName("cancelling a task's group from inside never cancels the owner's token (C2: down only)")
    void cancelDoesNotFlowUp() throws Exception {
        onVirtualTime(() -> {
            CancellationToken owner = CancellationToken.create();
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
        CountDownLatch blocked = new CountDownLatch(1);
        AtomicBoolean taskEnded = new AtomicBoolean();
        Forked<TaskOutcome> owner = kind.fork(() -> {
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
        });
        blocked.await();
        Forked.awaitBlockedIn(owner.thread, "TaskGroup", "awaitAll");
        owner.thread.interrupt();
        owner.join();
        assertThat(owner.value()).isEqualTo(TaskOutcome.CANCELLED_WHILE_RUNNING);
        assertThat(owner.interruptedAfter()).as("the InterruptedException carried the interrupt").isFalse();
    }

    // ------------------------------------------------------------------ cancellation-point exploration

    /** A group of three tasks (one with a shielded cleanup, one failing) explored at every point. */
    static final class GroupCase implements TaskGroupPointExplorer.Case {
        final String policy;
        final boolean bounded;
        final NoOrphanThreadsTest.Census census = new NoOrphanThreadsTest.Census();
        final List<Task<?>> tasks = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicReference<TaskGroup.Report> report = new AtomicReference<>();
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
            TaskGroup.Report r = report.get();
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
