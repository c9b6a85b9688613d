package org.cancelkit.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a shutdown did: why it started, how long it took against its budget, and how each worker
 * ended, in stop order. {@link #format()} prints it for people; the fields are for code.
 *
 * {@snippet :
 * ShutdownReport report = app.run();
 * System.err.print(report.format());
 * System.exit(report.exitCode());
 * }
 *
 * <p>Immutable and thread-safe.
 *
 * @param application the application's name
 * @param reason why the shutdown started: the signal, the request's message, or the failed worker
 * @param escalation why it turned hard for everyone (a second signal, {@link Application#shutdownNow}),
 *     or empty when it stayed graceful
 * @param budget the total budget
 * @param took from the start of the shutdown to the end of this report
 * @param workers each worker's end, in the order they were stopped
 */
public record ShutdownReport(String application, String reason, Optional<String> escalation, Duration budget,
                             Duration took, List<WorkerReport> workers) {
    /** Exit code: every worker ended on its own or in its grace. */
    public static final int EXIT_CLEAN = 0;
    /** Exit code: a worker failed (which may be what started the shutdown). */
    public static final int EXIT_FAILED = 1;
    /** Exit code: a worker had to be cancelled hard or was abandoned. */
    public static final int EXIT_FORCED = 2;

    /**
     * Checks the fields and copies the list.
     *
     * @param application non-null
     * @param reason non-null
     * @param escalation non-null
     * @param budget non-null
     * @param took non-null
     * @param workers non-null
     */
    public ShutdownReport {
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(escalation, "escalation");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(took, "took");
        workers = List.copyOf(Objects.requireNonNull(workers, "workers"));
    }

    /**
     * Returns the worker with this path.
     *
     * @param path e.g. {@code "pipeline/writer"}
     * @return its report
     * @throws IllegalArgumentException when no worker has that path; the message lists the paths
     */
    public WorkerReport worker(String path) {
        for (WorkerReport w : workers) {
            if (w.path().equals(path)) {
                return w;
            }
        }
        throw new IllegalArgumentException("no worker '" + path + "' in this report; its workers are " + stopOrder());
    }

    /**
     * Returns the workers' paths in the order they were stopped.
     *
     * @return the paths
     */
    public List<String> stopOrder() {
        return workers.stream().map(WorkerReport::path).toList();
    }

    /**
     * Tells whether the shutdown ended within its budget.
     *
     * @return true when {@link #took()} is at most {@link #budget()}
     */
    public boolean withinBudget() {
        return took.compareTo(budget) <= 0;
    }

    /**
     * Returns the process exit code this shutdown deserves: {@link #EXIT_FAILED} when a worker failed,
     * else {@link #EXIT_FORCED} when one was cancelled hard or abandoned, else {@link #EXIT_CLEAN}.
     *
     * @return the exit code
     */
    public int exitCode() {
        if (workers.stream().anyMatch(w -> w.outcome() == WorkerOutcome.FAILED)) {
            return EXIT_FAILED;
        }
        return workers.stream().allMatch(w -> w.outcome().isGraceful()) ? EXIT_CLEAN : EXIT_FORCED;
    }

    /**
     * Returns the report for people: a header, one line per worker, and the stack of each abandoned one.
     *
     * @return the text, ending with a line break
     */
    public String format() {
        StringBuilder b = new StringBuilder();
        b.append("shutdown of ").append(application).append(": ").append(reason).append('\n');
        escalation.ifPresent(e -> b.append("  escalated: ").append(e).append('\n'));
        b.append("  took ").append(millis(took)).append(" of a ").append(millis(budget)).append(" budget")
                .append(withinBudget() ? "" : " (OVER BUDGET)").append(", exit code ").append(exitCode()).append('\n');
        int width = workers.stream().mapToInt(w -> w.path().length()).max().orElse(0);
        for (WorkerReport w : workers) {
            b.append("  ").append(String.format(Locale.ROOT, "%-" + Math.max(1, width) + "s", w.path())).append("  ")
                    .append(w.toString().substring(w.path().length() + 2)).append('\n');
            if (w.outcome() == WorkerOutcome.ABANDONED) {
                for (StackTraceElement e : w.stack()) {
                    b.append("      at ").append(e).append('\n');
                }
            }
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return format();
    }

    static String millis(Duration d) {
        if (d.compareTo(Duration.ofDays(365)) > 0) {
            return d.toString(); // beyond a year, as good as unbounded; and toNanos could overflow
        }
        long micros = d.toNanos() / 1_000;
        return micros % 1_000 == 0 ? micros / 1_000 + " ms" : String.format(Locale.ROOT, "%.3f ms", micros / 1_000.0);
    }
}
