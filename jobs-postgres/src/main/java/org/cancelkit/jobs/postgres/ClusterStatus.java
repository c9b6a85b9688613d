package org.cancelkit.jobs.postgres;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.cancelkit.jobs.Progress;
import org.cancelkit.jobs.ProgressBar;
import org.jspecify.annotations.Nullable;

/**
 * The whole job as the database sees it (J3 across workers): items done, what the job is doing
 * ({@link #state()}: running, cancelled, completed, stalled, not started), while it runs the average
 * rate since the first claim and the ETA, and per partition how far it is and which worker holds its
 * lease.
 *
 * @param jobId the job
 * @param totalItems items in the job
 * @param doneItems items committed, over every partition
 * @param elapsed time since the first claim on the server's clock, until now or until the last partition
 *        completed (zero before the first claim)
 * @param cancelReason the reason of a requested cancel, or null when none was requested
 * @param cancelRequestedAt when the cancel was requested, on the server's clock, or null when none was
 * @param partitions each partition, in order
 */
public record ClusterStatus(String jobId, long totalItems, long doneItems, Duration elapsed,
        @Nullable String cancelReason, @Nullable Instant cancelRequestedAt, List<PartitionStatus> partitions) {

    /** What the job is doing, as the database sees it at the moment of the status. */
    public enum State {
        /** Some worker holds a lease that has not expired on a partition not yet complete. */
        RUNNING,
        /**
         * A cancel was requested and every partition is not yet complete; workers that still hold a lease
         * are draining (committing their done items and releasing their partitions).
         */
        CANCELLED,
        /** Every partition is complete (a cancel requested afterwards changes nothing). */
        COMPLETED,
        /**
         * Partitions were claimed but no worker holds a lease that has not expired: the workers died,
         * froze, stopped or failed, and nobody is processing the job until a worker starts.
         */
        STALLED,
        /** No worker has claimed any partition yet. */
        NOT_STARTED
    }

    /**
     * One partition.
     *
     * @param partition its number, from 0
     * @param firstItem its first item
     * @param endItem one past its last item
     * @param nextItem its first item not done
     * @param owner the worker holding its lease (or that completed it), or null
     * @param epoch the lease epoch: how many times it was claimed
     * @param leaseRemaining time left on the lease (negative: expired), or null when no lease is held
     * @param completed whether every item is done
     */
    public record PartitionStatus(int partition, long firstItem, long endItem, long nextItem, @Nullable String owner,
            long epoch, @Nullable Duration leaseRemaining, boolean completed) {

        /**
         * Returns whether a worker holds this partition's lease and it has not expired: the partition is
         * not complete, and its lease runs until a moment after this status was read.
         *
         * @return whether a worker holds a live lease on it
         */
        public boolean leaseHeld() {
            return !completed && owner != null && leaseRemaining != null && !leaseRemaining.isNegative();
        }
    }

    /**
     * Copies the list.
     *
     * @param jobId the job
     * @param totalItems items in the job
     * @param doneItems items committed
     * @param elapsed time since the first claim
     * @param cancelReason the cancel's reason, or null
     * @param cancelRequestedAt when the cancel was requested, or null
     * @param partitions the partitions
     */
    public ClusterStatus {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(elapsed, "elapsed");
        partitions = List.copyOf(partitions);
    }

    /**
     * Returns whether every partition is complete.
     *
     * @return whether every partition is complete
     */
    public boolean isComplete() {
        return partitions.stream().allMatch(PartitionStatus::completed);
    }

    /**
     * Returns what the job is doing: {@link State#COMPLETED} when every partition is complete, else
     * {@link State#CANCELLED} when a cancel was requested, else {@link State#RUNNING} when a worker holds
     * a live lease ({@link PartitionStatus#leaseHeld()}), else {@link State#NOT_STARTED} when no partition
     * was ever claimed, else {@link State#STALLED}.
     *
     * @return the state
     */
    public State state() {
        if (isComplete()) {
            return State.COMPLETED;
        }
        if (cancelReason != null) {
            return State.CANCELLED;
        }
        if (partitions.stream().anyMatch(PartitionStatus::leaseHeld)) {
            return State.RUNNING;
        }
        return partitions.stream().allMatch(p -> p.epoch() == 0) ? State.NOT_STARTED : State.STALLED;
    }

    /**
     * Returns the job's progress. While it {@linkplain State#RUNNING runs}: the average rate since the
     * first claim and the ETA at that rate. Once {@linkplain State#COMPLETED completed}: the average rate
     * from the first claim to the last partition's completion, and an ETA of zero. Otherwise nothing is
     * processing it: a rate of 0 and no ETA (null), with the event {@link Progress.Event#STOPPED} when it
     * was cancelled or stalled.
     *
     * @return the progress
     */
    public Progress progress() {
        State state = state();
        double rate = elapsed.isZero() || doneItems == 0 ? 0 : doneItems * 1e9 / elapsed.toNanos();
        return switch (state) {
            case RUNNING -> new Progress(Progress.Event.CHECKPOINT, doneItems, totalItems, doneItems, elapsed, rate,
                    doneItems == totalItems ? Duration.ZERO
                    : rate == 0 ? null : Duration.ofNanos((long) ((totalItems - doneItems) / rate * 1e9)));
            case COMPLETED -> new Progress(Progress.Event.COMPLETED, doneItems, totalItems, doneItems, elapsed, rate,
                    Duration.ZERO);
            case NOT_STARTED -> new Progress(Progress.Event.CHECKPOINT, doneItems, totalItems, doneItems, elapsed, 0,
                    null);
            case CANCELLED, STALLED -> new Progress(Progress.Event.STOPPED, doneItems, totalItems, doneItems, elapsed,
                    0, null);
        };
    }

    /**
     * Renders the status as text: what the job is doing, a progress bar, then one line per partition.
     * While it runs, the first line is {@code job <id>} and the bar has the rate and the ETA
     * ({@link ProgressBar#line}). Otherwise the first line says what it is doing — {@code cancelled
     * (<reason>, <when>)}, {@code completed in <time>}, {@code stalled: no worker holds a lease},
     * {@code not started: no worker has claimed a partition} — and the bar has no rate and no ETA.
     *
     * <p>Text read from the tables — the job id, the cancel reason, the workers' ids — is written by
     * whoever can write the tables, so it is shown escaped: every control character and every Unicode
     * format character (a bidirectional override, for one) as <code>&#92;uXXXX</code>, e.g. ESC as
     * <code>&#92;u001B</code> and a newline as <code>&#92;u000A</code>. The text holds no control
     * character but the newline that ends each line, whatever the tables hold; other text is shown
     * unchanged.
     *
     * @param width the cells of the bar, 1 or more
     * @return the text, lines separated by {@code \n}
     */
    public String render(int width) {
        State state = state();
        Progress progress = progress();
        String bar = ProgressBar.line(progress, width);
        if (state != State.RUNNING) {
            int filled = (int) Math.min(width, Math.floor(progress.fraction() * width));
            bar = String.format(Locale.ROOT, "[%s]  %d/%d  %.1f%%", "#".repeat(filled) + ".".repeat(width - filled),
                    doneItems, totalItems, progress.fraction() * 100);
        }
        StringBuilder b = new StringBuilder("job ").append(shown(jobId)).append(headline(state)).append('\n')
                .append(bar).append('\n')
                .append(String.format(Locale.ROOT, "%9s  %-17s  %-15s  %s%n", "partition", "items", "done", "lease"));
        for (PartitionStatus p : partitions) {
            String lease = p.completed() ? "completed" + (p.owner() == null ? "" : " by " + shown(p.owner()))
                    : p.owner() == null ? "free (epoch " + p.epoch() + ")"
                    : shown(p.owner()) + " (epoch " + p.epoch() + "), " + remaining(p.leaseRemaining());
            b.append(String.format(Locale.ROOT, "%9d  %-17s  %-15s  %s%n", p.partition(),
                    p.firstItem() + ".." + (p.endItem() - 1), (p.nextItem() - p.firstItem()) + "/"
                    + (p.endItem() - p.firstItem()), lease));
        }
        return b.toString();
    }

    private String headline(State state) {
        return switch (state) {
            case RUNNING -> "";
            case COMPLETED -> String.format(Locale.ROOT, ": completed in %.1f s", elapsed.toMillis() / 1000.0);
            case NOT_STARTED -> ": not started: no worker has claimed a partition";
            case STALLED -> ": stalled: no worker holds a lease";
            case CANCELLED -> {
                long held = partitions.stream().filter(PartitionStatus::leaseHeld).count();
                yield ": cancelled (" + shown(String.valueOf(cancelReason)) + ", "
                        + (cancelRequestedAt == null ? "at an unknown time" : cancelRequestedAt.truncatedTo(ChronoUnit.SECONDS)) + ")"
                        + (held == 0 ? "" : "; " + held + (held == 1 ? " lease still held while its worker drains"
                        : " leases still held while their workers drain"));
            }
        };
    }

    /** Stored text as it may reach a terminal: control and format characters as backslash, u, 4 hex digits. */
    private static String shown(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                b.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String remaining(@Nullable Duration d) {
        if (d == null) {
            return "no expiry";
        }
        return d.isNegative() ? String.format(Locale.ROOT, "expired %.1f s ago", -d.toMillis() / 1000.0)
                : String.format(Locale.ROOT, "expires in %.1f s", d.toMillis() / 1000.0);
    }
}
