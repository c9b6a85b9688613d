package org.cancelkit.micrometer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.cancelkit.lifecycle.ShutdownReport;
import org.cancelkit.lifecycle.WorkerOutcome;
import org.cancelkit.lifecycle.WorkerReport;

/**
 * Records a {@code cancelkit-lifecycle} {@link ShutdownReport} in {@code cancelkit.shutdown} (the
 * duration, tagged with the outcome of its exit code) and {@code cancelkit.shutdown.stopped} (the
 * workers, by their {@link WorkerOutcome}). Needs {@code cancelkit-lifecycle}.
 *
 * {@snippet :
 * ShutdownReport report = app.run();
 * LifecycleMetrics.record(meters, report);       // component = the application's name
 * }
 *
 * <p>Thread-safe (stateless).
 */
public final class LifecycleMetrics {
    private LifecycleMetrics() {}

    /**
     * Records the report, tagged {@code component} = the application's name (a fixed name).
     *
     * @param meters where to record
     * @param report what the shutdown did
     */
    public static void record(CancelkitMeters meters, ShutdownReport report) {
        Objects.requireNonNull(meters, "meters");
        Objects.requireNonNull(report, "report");
        String outcome = switch (report.exitCode()) {
            case ShutdownReport.EXIT_CLEAN -> "clean";
            case ShutdownReport.EXIT_FAILED -> "failed";
            default -> "forced";
        };
        Map<String, Long> stopped = new LinkedHashMap<>();
        for (WorkerOutcome o : WorkerOutcome.values()) {
            stopped.put(TagValues.word(o), 0L);
        }
        for (WorkerReport w : report.workers()) {
            stopped.merge(TagValues.word(w.outcome()), 1L, Long::sum);
        }
        meters.shutdown(report.application(), report.took(), outcome, stopped);
    }
}
