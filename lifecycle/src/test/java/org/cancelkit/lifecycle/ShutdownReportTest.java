package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The report as data and as text: exit codes, the budget line, stacks of abandoned workers. */
class ShutdownReportTest {
    private static WorkerReport w(String path, WorkerOutcome o) {
        return new WorkerReport(path, o, Duration.ofSeconds(1), Duration.ofMillis(1500), Duration.ofMinutes(3),
                o == WorkerOutcome.FAILED ? new IllegalStateException("boom") : null,
                o == WorkerOutcome.ABANDONED ? List.of(new StackTraceElement("java.lang.Object", "wait", null, -1),
                        new StackTraceElement("com.example.Legacy", "poll", "Legacy.java", 42)) : List.of());
    }

    private static ShutdownReport report(Duration took, WorkerReport... workers) {
        return new ShutdownReport("app", "SIGTERM", Optional.empty(), Duration.ofSeconds(10), took, List.of(workers));
    }

    @Test
    @DisplayName("L1: exit code: a failure beats a forced stop, which beats a clean one")
    void exitCodes() {
        assertThat(report(Duration.ZERO, w("a", WorkerOutcome.STOPPED_IN_GRACE), w("b", WorkerOutcome.ENDED_EARLY))
                .exitCode()).isEqualTo(ShutdownReport.EXIT_CLEAN);
        assertThat(report(Duration.ZERO, w("a", WorkerOutcome.STOPPED_AFTER_HARD_CANCEL)).exitCode())
                .isEqualTo(ShutdownReport.EXIT_FORCED);
        assertThat(report(Duration.ZERO, w("a", WorkerOutcome.ABANDONED)).exitCode()).isEqualTo(ShutdownReport.EXIT_FORCED);
        assertThat(report(Duration.ZERO, w("a", WorkerOutcome.ABANDONED), w("b", WorkerOutcome.FAILED)).exitCode())
                .isEqualTo(ShutdownReport.EXIT_FAILED);
    }

    @Test
    @DisplayName("L1: the text names the budget, each worker, the failure, and the abandoned one's first own frame and stack")
    void format() {
        String text = report(Duration.ofMillis(10_001), w("http", WorkerOutcome.STOPPED_IN_GRACE),
                w("ingest/legacy", WorkerOutcome.ABANDONED), w("db", WorkerOutcome.FAILED)).format();
        assertThat(text).contains("shutdown of app: SIGTERM", "took 10001 ms of a 10000 ms budget (OVER BUDGET)",
                "http           stopped in grace in 1500 ms (grace 1000 ms)",
                "ABANDONED, still running in 1500 ms (grace 1000 ms) at com.example.Legacy.poll(Legacy.java:42)",
                "      at java.lang.Object.wait", "FAILED in 1500 ms (grace 1000 ms): java.lang.IllegalStateException: boom");
        assertThat(report(Duration.ofSeconds(10)).format()).doesNotContain("OVER BUDGET");
        assertThat(ShutdownReport.millis(Duration.ofNanos(1_234_567))).isEqualTo("1.234 ms");
        assertThat(ShutdownReport.millis(Duration.ofSeconds(Long.MAX_VALUE))).startsWith("PT");
    }
}
