package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.testkit.CancelkitTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A service's task cancellation tree of four workers (database, http-server, metrics, health-check),
 * on an auto-advancing virtual clock: each loops on a sleep and, once cancelled, cleans up (500 ms,
 * 1 s, 200 ms, nothing) in a shield. L1 with exact virtual times: reverse start order, each stops in grace
 * after exactly its cleanup, and the shutdown takes their sum.
 */
@CancelkitTest
class WorkerTreeExampleTest {
    private static final Duration GRACE = Duration.ofSeconds(2);

    private static Worker looping(String name, Duration period, Duration cleanup, List<String> log) {
        return Worker.of(name, GRACE, token -> {
            try {
                while (true) {
                    Cancellation.sleep(period); // throws CancelledException at the soft cancel
                    log.add(name + ": tick");
                }
            } catch (CancelledException e) {
                if (!cleanup.isZero()) {
                    // Cleanup waits inside a cancelled token: it runs shielded, within its own budget.
                    Cancellation.shielded(GRACE, () -> Cancellation.sleep(cleanup));
                }
                log.add(name + ": shutdown complete");
            }
        });
    }

    @Test
    @DisplayName("L1: database, http-server, metrics and health-check workers stop in reverse order, each in grace")
    void fourWorkersStopInReverseOrder(VirtualClock clock) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        Application app = Application.builder("service")
                .add(looping("database", Duration.ofSeconds(1), Duration.ofMillis(500), log))
                .add(looping("http-server", Duration.ofMillis(500), Duration.ofSeconds(1), log))
                .add(looping("metrics", Duration.ofSeconds(10), Duration.ofMillis(200), log))
                .add(looping("health-check", Duration.ofSeconds(30), Duration.ZERO, log))
                .build().start();
        CancellationSource later = CancellationSource.create().child(Duration.ofSeconds(3));
        later.awaitCancellation();           // three virtual seconds of work, at once
        later.close();
        long shutdownAt = clock.nanoTime();
        app.shutdown("Ctrl+C");
        ShutdownReport report = app.awaitTermination();

        assertThat(report.stopOrder()).containsExactly("health-check", "metrics", "http-server", "database");
        assertThat(report.workers()).allSatisfy(w -> assertThat(w.outcome()).isEqualTo(WorkerOutcome.STOPPED_IN_GRACE));
        assertThat(report.worker("database").stopTime()).isEqualTo(Duration.ofMillis(500));
        assertThat(report.worker("http-server").stopTime()).isEqualTo(Duration.ofSeconds(1));
        assertThat(report.worker("metrics").stopTime()).isEqualTo(Duration.ofMillis(200));
        assertThat(report.worker("health-check").stopTime()).isZero();
        assertThat(report.took()).isEqualTo(Duration.ofMillis(1_700));
        assertThat(clock.nanoTime() - shutdownAt).isEqualTo(Duration.ofMillis(1_700).toNanos());
        assertThat(log.stream().filter(l -> l.endsWith("shutdown complete")).toList()).containsExactly(
                "health-check: shutdown complete", "metrics: shutdown complete", "http-server: shutdown complete",
                "database: shutdown complete");
        assertThat(log).contains("database: tick", "http-server: tick");
    }
}
