package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The explorer itself: it must find a broken operation at exactly the points where it is broken (the
 * negative control every exploration in the other classes relies on), pass the repaired one, and hear
 * the points of forked tasks only through {@link TaskGroupPointExplorer#inherit}.
 */
@org.junit.jupiter.api.Timeout(60)
class TaskGroupPointExplorerTest {

    /** The anti-pattern "release without finally" on a raw semaphore: the permit is returned only on success. */
    static final class LeakyCase implements TaskGroupPointExplorer.Case {
        final Semaphore semaphore = new Semaphore(1);
        final boolean repaired;

        LeakyCase(boolean repaired) {
            this.repaired = repaired;
        }

        @Override
        public Object call() throws Exception {
            Cancellation.check();                       // point 1: before the acquire
            semaphore.acquire();
            if (repaired) {
                try {
                    work();
                } finally {
                    semaphore.release();
                }
            } else {
                work();
                semaphore.release();                    // skipped when work() is cancelled
            }
            Cancellation.check();                       // point 4: after the release
            return "ok";
        }

        private static void work() throws InterruptedException {
            Cancellation.check();                       // point 2
            Cancellation.sleep(Duration.ofMillis(10));  // point 3
        }

        @Override
        public void check(TaskGroupPointExplorer.Run run) {
            assertThat(semaphore.availablePermits()).as("permits back after " + run).isEqualTo(1);
            if (run.cancelled()) {
                assertThat(run.failure()).isInstanceOf(CancelledException.class);
            } else {
                assertThat(run.value()).isEqualTo("ok");
            }
        }
    }

    @Test
    @DisplayName("negative control: a raw semaphore released only on success is caught at exactly points 2 and 3")
    void brokenOperationIsCaughtAtTheRightPoints() throws Exception {
        TaskGroupPointExplorer.Result r = TaskGroupPointExplorer.explore(() -> new LeakyCase(false));
        System.out.println("leaky semaphore: " + r);
        assertThat(r.points()).isEqualTo(4);
        assertThat(r.kinds()).containsExactly("check", "check", "wait", "check");
        assertThat(r.violations().keySet()).containsExactly(2, 3);
        assertThat(r.violations().get(2)).cause().hasMessageContaining("permits back after run k=2 (cancelled)");
    }

    @Test
    @DisplayName("the repaired operation (release in finally) passes at every point")
    void repairedOperationPasses() throws Exception {
        TaskGroupPointExplorer.Result r = TaskGroupPointExplorer.explore(() -> new LeakyCase(true));
        assertThat(r.points()).isEqualTo(4);
        assertThat(r.cancelledRuns()).isEqualTo(4);
        assertThat(r.violations()).isEmpty();
    }

    @Test
    @DisplayName("a forked task's points are heard through inherit(), and only through it")
    void forkedTasksReportThroughInherit() throws Exception {
        AtomicInteger inherited = new AtomicInteger();
        for (boolean wrap : new boolean[] {true, false}) {
            TaskGroupPointExplorer.Result r = TaskGroupPointExplorer.explore(() -> new TaskGroupPointExplorer.Case() {
                @Override
                public Object call() throws Exception {
                    try (TaskGroup group = TaskGroup.open()) {
                        CheckedRunnable<InterruptedException> body = () -> {
                            Cancellation.check();
                            Cancellation.sleep(Duration.ofMillis(5));
                        };
                        if (wrap) {
                            group.fork("t", TaskGroupPointExplorer.inherit(body));
                        } else {
                            group.fork("t", body);
                        }
                        return group.join();
                    }
                }

                @Override
                public void check(TaskGroupPointExplorer.Run run) {}
            });
            if (wrap) {
                inherited.set(r.points());
            } else {
                assertThat(r.points()).as("without inherit").isZero();
            }
        }
        assertThat(inherited.get()).as("with inherit").isEqualTo(2);
    }
}
