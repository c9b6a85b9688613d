package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.testkit.CancelkitTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** L1, failures: a worker that fails while running shuts the application down (by default), recorded as the reason. */
@CancelkitTest(autoAdvance = false)
class FailurePolicyTest {
    private static final Duration GRACE = Duration.ofSeconds(1);

    private static Worker failing(CountDownLatch go, AtomicReference<Thread> thread) {
        return Worker.of("db", GRACE, token -> {
            thread.set(Thread.currentThread());
            go.await();
            throw new IOException("connection refused");
        });
    }

    @Test
    @DisplayName("L1: by default a failing worker shuts the application down, its failure the reason")
    void failureShutsDown(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(2);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Thread> db = new AtomicReference<>();
        Application app = Application.builder("fails")
                .add(failing(go, db), f.polite("http", GRACE), f.polite("metrics", GRACE))
                .build().start();
        f.awaitStarted();
        go.countDown();
        ShutdownReport report = app.awaitTermination(); // nobody else asks for a shutdown

        assertThat(report.reason()).isEqualTo("worker 'db' failed: java.io.IOException: connection refused");
        assertThat(report.worker("db").outcome()).isEqualTo(WorkerOutcome.FAILED);
        assertThat(report.worker("db").failure()).isInstanceOf(IOException.class);
        assertThat(report.worker("db").stopTime()).isZero();
        assertThat(report.worker("http").outcome()).isEqualTo(WorkerOutcome.STOPPED_IN_GRACE);
        assertThat(report.stopOrder()).containsExactly("metrics", "http", "db");
        assertThat(report.exitCode()).isEqualTo(ShutdownReport.EXIT_FAILED);
        assertThat(report.format()).contains("FAILED", "connection refused");
    }

    @Test
    @DisplayName("L1 negative control: under KEEP_RUNNING the same failure leaves the others running")
    void keepRunning(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Thread> db = new AtomicReference<>();
        Application app = Application.builder("keeps")
                .add(failing(go, db), f.polite("http", GRACE))
                .onFailure(FailurePolicy.KEEP_RUNNING)
                .build().start();
        f.awaitStarted();
        go.countDown();
        db.get().join(); // the failure has been handled: its thread ran the policy before ending
        assertThat(app.state()).isEqualTo(Application.State.RUNNING);
        assertThat(f.tokens.get("http").isCancelled()).isFalse();

        assertThat(app.shutdown("operator")).isTrue();
        ShutdownReport report = app.awaitTermination();
        assertThat(report.reason()).isEqualTo("operator");
        assertThat(report.worker("db").outcome()).isEqualTo(WorkerOutcome.FAILED);
        assertThat(report.exitCode()).isEqualTo(ShutdownReport.EXIT_FAILED);
    }

    @Test
    @DisplayName("L1: a cleanup that throws during the shutdown is a failure, reported with what it threw")
    void failureDuringShutdown(VirtualClock clock) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Application app = Application.builder("cleanup-fails")
                .add(Worker.of("flusher", GRACE, token -> {
                    started.countDown();
                    token.awaitCancellation();
                    throw new IllegalStateException("flush failed: disk full");
                }))
                .build().start();
        started.await();
        app.shutdown("test");
        ShutdownReport report = app.awaitTermination();
        WorkerReport w = report.worker("flusher");
        assertThat(w.outcome()).isEqualTo(WorkerOutcome.FAILED);
        assertThat(w.failure()).hasMessage("flush failed: disk full");
        assertThat(report.exitCode()).isEqualTo(ShutdownReport.EXIT_FAILED);
    }

    @Test
    @DisplayName("bad input: clear errors that say what to do")
    void badInput(VirtualClock clock) throws Exception {
        assertThatThrownBy(() -> Worker.of("a/b", token -> {})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without '/'");
        assertThatThrownBy(() -> Worker.of(" ", token -> {})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Worker.of("w", Duration.ofSeconds(-1), token -> {}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grace must not be negative");
        assertThatThrownBy(() -> Worker.of("w", null, token -> {})).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("grace");
        assertThatThrownBy(() -> WorkerGroup.of("g", Worker.of("x", t -> {}), Worker.of("x", t -> {})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two members named 'x'");
        assertThatThrownBy(() -> Application.builder("app").add(Worker.of("x", t -> {}), Worker.of("x", t -> {})).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rename one");
        assertThatThrownBy(() -> Application.builder("app").budget(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budget");

        Application app = Application.builder("app").add(Worker.of("x", GRACE, t -> t.awaitCancellation())).build();
        assertThatThrownBy(() -> app.shutdown("early")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("call start() first");
        app.start();
        assertThatThrownBy(app::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
        app.shutdown("done");
        assertThat(app.shutdown("again")).isFalse();
        ShutdownReport report = app.awaitTermination();
        assertThatThrownBy(() -> report.worker("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[x]");
    }

    @Test
    @DisplayName("L1: a signal before the start ends the application with an empty report; start then starts nothing")
    void signalBeforeStart(VirtualClock clock) throws Exception {
        Application app = Application.builder("early-signal").add(Worker.of("x", t -> t.awaitCancellation())).build();
        app.signal("SIGTERM");
        app.start();
        ShutdownReport report = app.awaitTermination();
        assertThat(report.workers()).isEmpty();
        assertThat(report.reason()).contains("SIGTERM before the start");
        assertThat(app.state()).isEqualTo(Application.State.TERMINATED);
    }
}
