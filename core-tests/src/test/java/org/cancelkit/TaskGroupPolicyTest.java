package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cancelkit.TaskGroupTest.ms;
import static org.cancelkit.TaskGroupTest.onVirtualTime;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskGroup}'s completion policies: fail-fast, supervise, first-success, a custom one, and what
 * happens when a policy misbehaves. On a {@link VirtualClock}.
 */
@org.junit.jupiter.api.Timeout(60)
class TaskGroupPolicyTest {

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
                TaskReport r = group.join();
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
                TaskReport r = group.join();
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
            CancellationSource outer = CancellationSource.create();
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
        public void onJoin(TaskReport report) {
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
                TaskReport r = group.join();
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
            public void onJoin(TaskReport report) {}
        };
        try (TaskGroup group = TaskGroup.open(policy)) {
            for (int i = 0; i < tasks; i++) {
                group.fork("t" + i, () -> {});
            }
            TaskReport r = group.join();
            assertThat(last.get()).containsExactlyElementsOf(r.endOrder());
        }
        assertThat(overlap).as("the policy was called concurrently or out of order").isFalse();
    }

    @Test
    @DisplayName("regression: a custom policy that throws in onTaskEnded does not hang join")
    void throwingPolicyDoesNotHangJoin() throws Exception {
        IllegalArgumentException policyBug = new IllegalArgumentException("policy bug");
        CompletionPolicy broken = new CompletionPolicy() {
            @Override
            public boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar) {
                throw policyBug;
            }

            @Override
            public void onJoin(TaskReport report) {}
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
            public void onJoin(TaskReport report) {}
        };
        TaskReport r;
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
}
