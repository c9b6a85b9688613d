package org.cancelkit.testkit;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.cancelkit.Cancellation;
import org.cancelkit.CancelledException;
import org.cancelkit.Registration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The explorer finds what it claims to find, at the point where it is, and nothing else. */
class CancellationExplorerTest {
    @TempDir
    Path dir;

    /** A write with a cleanup bug: cancelled at its third point, it leaves its temp file behind. */
    static void brokenWrite(Path dir) throws IOException {
        Cancellation.check();                                         // point 1: nothing written yet
        Path tmp = Files.writeString(dir.resolve("out.cancelkit.tmp"), "new");
        try {
            Cancellation.check();                                     // point 2: cleaned up below
        } catch (CancelledException e) {
            Files.delete(tmp);
            throw e;
        }
        Cancellation.check();                                         // point 3: the bug, outside the cleanup
        Files.move(tmp, dir.resolve("out.txt"), ATOMIC_MOVE, REPLACE_EXISTING);
        Cancellation.check();                                         // point 4: after the rename
    }

    /** The same write with the cleanup around every step. */
    static void fixedWrite(Path dir) throws IOException {
        Cancellation.check();
        Path tmp = Files.writeString(dir.resolve("out.cancelkit.tmp"), "new");
        try {
            Cancellation.check();
            Cancellation.check();
            Files.move(tmp, dir.resolve("out.txt"), ATOMIC_MOVE, REPLACE_EXISTING);
        } catch (Throwable t) {
            Files.deleteIfExists(tmp);
            throw t;
        }
        Cancellation.check();
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private CancellationExplorer exploreWrite(boolean fixed) {
        return CancellationExplorer.explore(() -> {
                    if (fixed) {
                        fixedWrite(dir);
                    } else {
                        brokenWrite(dir);
                    }
                })
                .before(() -> {
                    Files.deleteIfExists(dir.resolve("out.cancelkit.tmp"));
                    Files.writeString(dir.resolve("out.txt"), "old");
                })
                .check("no temp file is left", () -> assertThat(tempFiles()).isEmpty())
                .check("out.txt is old or new", () -> assertThat(Files.readString(dir.resolve("out.txt"))).isIn("old", "new"));
    }

    @Test
    void aWriteNotCleanedUpAtItsThirdPointIsReportedAtExactlyPointThree() {
        ExplorationReport report = exploreWrite(false).run();

        assertThat(report.points()).isEqualTo(4);
        assertThat(report.explored()).isEqualTo(4);
        assertThat(report.brokenPoints()).containsExactly(3);
        ExplorationReport.Violation v = report.violationsAt(3).getFirst();
        assertThat(report.violations()).hasSize(1);
        assertThat(v.invariant()).isEqualTo("no temp file is left");
        assertThat(v.thrown()).isInstanceOf(CancelledException.class);
        // The stack of point 3: Cancellation.check, called by brokenWrite at the line of point 3.
        assertThat(v.pointStack().get(0).getMethodName()).isEqualTo("check");
        assertThat(v.pointStack().get(1).getMethodName()).isEqualTo("brokenWrite");
        assertThat("check at " + v.pointStack().get(1)).isEqualTo(report.pointSites().get(2));
        assertThat(report.pointSites().get(1)).isNotEqualTo(report.pointSites().get(2));
        assertThatThrownBy(report::assertAllHeld)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 violation at point [3]")
                .hasMessageContaining("At point 3, \"no temp file is left\" did not hold")
                .hasMessageContaining("out.cancelkit.tmp")
                .hasMessageContaining("the cancelled point:")
                .hasMessageContaining("brokenWrite(CancellationExplorerTest.java");
    }

    @Test
    void theFixedWriteHoldsAtEveryPoint() {
        ExplorationReport report = exploreWrite(true).run();
        assertThat(report.points()).isEqualTo(4);
        report.assertAllHeld();
    }

    @Test
    void withoutTheInvariantTheBrokenWriteIsNotReported() {
        // Negative control of the negative control: the finding comes from the invariant, not from noise.
        ExplorationReport report = CancellationExplorer.explore(() -> brokenWrite(dir))
                .before(() -> Files.deleteIfExists(dir.resolve("out.cancelkit.tmp")))
                .run();
        report.assertAllHeld();
    }

    @Test
    void injectedFailuresFindTheCleanupThatOnlyHandlesCancellation() {
        ExplorationReport broken = exploreWrite(false).injecting(() -> new IOException("No space left on device")).run();
        assertThat(broken.brokenPoints()).containsExactly(2, 3); // catch (CancelledException) misses an IOException
        assertThat(broken.violationsAt(2).getFirst().thrown()).isInstanceOf(IOException.class)
                .hasMessage("No space left on device");
        assertThat(broken.toString()).contains("a failure injected at each in turn", "the failing point:");

        exploreWrite(true).injecting(() -> new IOException("No space left on device")).run().assertAllHeld();
    }

    @Test
    void aSwallowedCancellationIsReported() {
        ExplorationReport report = CancellationExplorer.explore(() -> {
            try {
                Cancellation.check();
            } catch (CancelledException e) {
                // the bug: the caller never learns that the work stopped
            }
        }).run();
        assertThat(report.brokenPoints()).containsExactly(1);
        assertThat(report.violations().getFirst().invariant()).isEqualTo("the cancellation reaches the caller");
        assertThat(report.violations().getFirst().failure()).hasMessageContaining("returned normally");

        assertThat(CancellationExplorer.explore(() -> {
            try {
                Cancellation.check();
            } catch (CancelledException e) {
                // a deliberate fallback
            }
        }).allowingRecovery().run().allHeld()).isTrue();
    }

    @Test
    void aCleanupThatFailsAndHidesTheCancellationIsReported() {
        ExplorationReport report = CancellationExplorer.explore(() -> {
            try {
                Cancellation.check();
            } finally {
                if (Cancellation.isCancelled()) {
                    throw new IllegalStateException("cleanup failed");
                }
            }
        }).run();
        assertThat(report.brokenPoints()).containsExactly(1);
        assertThat(report.violations().getFirst().failure()).hasMessageContaining("instead of CancelledException");
    }

    @Test
    void anOperationThatFailsUnperturbedStopsTheExploration() {
        ExplorationReport report = CancellationExplorer.explore(() -> {
            Cancellation.check();
            throw new IOException("broken from the start");
        }).run();
        assertThat(report.brokenPoints()).containsExactly(0);
        assertThat(report.explored()).isZero();
        assertThat(report.violations().getFirst().invariant()).isEqualTo("the operation completes when nothing is cancelled");
    }

    @Test
    void anOperationWhosePointsMoveBetweenRunsIsReported() {
        AtomicInteger runs = new AtomicInteger();
        ExplorationReport report = CancellationExplorer.explore(() -> {
            int n = runs.getAndIncrement() == 0 ? 3 : 1; // leftovers of the first run change the path
            for (int i = 0; i < n; i++) {
                Cancellation.check();
            }
        }).run();
        assertThat(report.brokenPoints()).containsExactly(2, 3);
        assertThat(report.violationsAt(2).getFirst().invariant()).isEqualTo("point 2 is reached");
    }

    @Test
    void anOnCancelRegistrationLeftOnTheCallersTokenIsALeak() {
        ExplorationReport leaky = CancellationExplorer.explore(() -> {
            Registration r = Cancellation.onCancel(() -> {});
            Cancellation.check();
            // the bug: r is never closed, so the callback stays on the caller's token
            assertThat(r).isNotNull();
        }).run();
        assertThat(leaky.brokenPoints()).containsExactly(0); // cancelled runs ran the callback: nothing pending
        assertThat(leaky.violationsAt(0).getFirst().invariant()).isEqualTo("no leak: registrations");
        assertThat(leaky.violationsAt(0).getFirst().failure())
                .hasMessageContaining("registered at:")
                .hasMessageContaining("anOnCancelRegistrationLeftOnTheCallersTokenIsALeak");

        CancellationExplorer.explore(() -> {
            Registration r = Cancellation.onCancel(() -> {});
            try {
                Cancellation.check();
            } finally {
                r.close();
            }
        }).run().assertAllHeld();
    }

    @Test
    void aThreadLeftRunningWhenCancelledIsALeak() throws Exception {
        List<Thread> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExplorationReport report = CancellationExplorer.explore(() -> {
            java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
            Thread worker = Thread.ofVirtual().name("explored-worker").start(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // ending anyway: keep the flag for the record
                }
            });
            started.add(worker);
            Cancellation.check(); // the bug: cancelled here, the worker is never released nor joined
            gate.countDown();
            worker.join();
        }).checkLeaks(Leaks.of(Leak.THREADS)).run();
        try {
            assertThat(report.brokenPoints()).containsExactly(1);
            assertThat(report.violationsAt(1).getFirst().invariant()).isEqualTo("no leak: threads");
            assertThat(report.violationsAt(1).getFirst().failure())
                    .hasMessageContaining("virtual thread \"explored-worker\"");
        } finally {
            for (Thread t : started) {
                t.interrupt();
                t.join();
            }
        }
    }

    @Test
    void runsOnAnAutoAdvancingVirtualClock() {
        ExplorationReport report = CancellationExplorer.explore(() -> {
            Cancellation.check();
            Cancellation.sleep(Duration.ofHours(1)); // returns at once: nothing else runs
            Cancellation.check();
        }).run();
        assertThat(report.points()).isEqualTo(3);
        assertThat(report.pointSites()).hasSize(3);
        assertThat(report.pointSites().get(1)).startsWith("wait at ");
        report.assertAllHeld();
    }

    @Test
    void aPointInsideAShieldIsNotExpectedToThrow() {
        ExplorationReport report = CancellationExplorer.explore(() -> {
            Cancellation.shielded(Duration.ofSeconds(1), () -> Cancellation.check()); // cleanup: must finish
        }).run();
        assertThat(report.points()).isEqualTo(1);
        report.assertAllHeld();
    }

    @Test
    void aFailingSetUpStopsTheExplorationLoudly() {
        assertThatThrownBy(() -> CancellationExplorer.explore(() -> {}).before(() -> {
            throw new IOException("no disk");
        }).run()).isInstanceOf(IllegalStateException.class).hasMessageContaining("before run 0");
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> CancellationExplorer.explore(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("operation");
        assertThatThrownBy(() -> CancellationExplorer.explore(() -> {}).maxPoints(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void maxPointsCapsTheExplorationAndSaysSo() {
        ExplorationReport report = CancellationExplorer.explore(() -> {
            for (int i = 0; i < 10; i++) {
                Cancellation.check();
            }
        }).maxPoints(4).run();
        assertThat(report.points()).isEqualTo(10);
        assertThat(report.explored()).isEqualTo(4);
        assertThat(report.toString()).contains("(the first 4 only)", "only the first 4 of 10 points were explored");
    }
}
