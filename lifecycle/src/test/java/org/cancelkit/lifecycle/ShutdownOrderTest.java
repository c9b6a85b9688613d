package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.testkit.CancelkitTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * L1, order: workers stop one at a time in reverse start order (or by declared phase), a group all
 * its members before the next sibling. Each worker records which workers had been cancelled when it
 * saw its own cancel: stopping one at a time means exactly those before it in stop order, and itself.
 */
@CancelkitTest(autoAdvance = false)
class ShutdownOrderTest {
    private static final Duration GRACE = Duration.ofSeconds(1);

    /** Checks that each worker, when cancelled, saw exactly its predecessors in stop order cancelled. */
    private static void assertOneAtATime(Fixture f, List<String> stopOrder) {
        List<String> before = new ArrayList<>();
        for (String path : stopOrder) {
            String name = path.substring(path.lastIndexOf('/') + 1);
            before.add(name);
            assertThat(f.cancelledWhenCancelled.get(name)).as("cancelled when %s saw its cancel", name)
                    .isEqualTo(new TreeSet<>(before));
        }
    }

    @Test
    @DisplayName("L1: reverse start order, a nested group's members before the next sibling, one at a time")
    void reverseStartOrder(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(5);
        Application app = Application.builder("order")
                .add(f.polite("a", GRACE), f.polite("b", GRACE))
                .add(WorkerGroup.of("g", f.polite("c", GRACE), f.polite("d", GRACE)))
                .add(f.polite("e", GRACE))
                .build().start();
        f.awaitStarted();
        assertThat(app.shutdown("test")).isTrue();
        ShutdownReport report = app.awaitTermination();

        List<String> expected = List.of("e", "g/d", "g/c", "b", "a");
        assertThat(report.stopOrder()).isEqualTo(expected);
        assertOneAtATime(f, expected);
        assertThat(report.workers()).allSatisfy(w -> assertThat(w.outcome()).isEqualTo(WorkerOutcome.STOPPED_IN_GRACE));
        assertThat(report.exitCode()).isEqualTo(ShutdownReport.EXIT_CLEAN);
        assertThat(report.took()).isEqualTo(Duration.ZERO); // no clock moved: nobody waited for its grace
        assertThat(app.state()).isEqualTo(Application.State.TERMINATED);
    }

    @Test
    @DisplayName("L1: declared phases: highest phase first, reverse start order within a phase")
    void byPhase(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(5);
        Application app = Application.builder("phases")
                .add(f.polite("db", GRACE).inPhase(0), f.polite("http", GRACE).inPhase(10),
                        f.polite("cache", GRACE).inPhase(0), f.polite("metrics", GRACE).inPhase(-5),
                        f.polite("grpc", GRACE).inPhase(10))
                .build().start();
        f.awaitStarted();
        app.shutdown("test");
        ShutdownReport report = app.awaitTermination();

        List<String> expected = List.of("grpc", "http", "cache", "db", "metrics");
        assertThat(report.stopOrder()).isEqualTo(expected);
        assertOneAtATime(f, expected);
    }

    @Test
    @DisplayName("L1 negative control: cancelling the root token (everyone at once) fails the one-at-a-time check")
    void everyoneAtOnceIsDetected(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(3);
        Application app = Application.builder("at-once")
                .add(f.polite("a", GRACE), f.polite("b", GRACE), f.polite("c", GRACE))
                .build().start();
        f.awaitStarted();
        app.shutdownNow("everything at once, as cancelling the root token does");
        ShutdownReport report = app.awaitTermination();

        // Each worker saw all three cancelled: the check above would fail.
        assertThat(f.cancelledWhenCancelled.get("a")).isEqualTo(Set.of("a", "b", "c"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertOneAtATime(f, report.stopOrder()))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    @DisplayName("L1: a worker whose body returned before the shutdown is reported as ended early")
    void endedEarly(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(1);
        java.util.concurrent.atomic.AtomicReference<Thread> migration = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch returned = new java.util.concurrent.CountDownLatch(1);
        Application app = Application.builder("early")
                .add(f.polite("server", GRACE))
                .add(Worker.of("migration", GRACE, token -> {
                    migration.set(Thread.currentThread());
                    returned.countDown();
                }))
                .build().start();
        f.awaitStarted();
        returned.await();
        migration.get().join(); // its thread has recorded its end
        app.shutdown("test");
        ShutdownReport report = app.awaitTermination();
        assertThat(report.stopOrder()).containsExactly("migration", "server");
        assertThat(report.worker("migration").outcome()).isEqualTo(WorkerOutcome.ENDED_EARLY);
        assertThat(report.worker("migration").stopTime()).isZero();
        assertThat(report.worker("server").outcome()).isEqualTo(WorkerOutcome.STOPPED_IN_GRACE);
    }
}
