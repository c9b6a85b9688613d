package org.cancelkit.jobs.postgres;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.cancelkit.jobs.Progress;
import org.cancelkit.jobs.ProgressBar;
import org.jspecify.annotations.Nullable;

/**
 * The whole job as the database sees it (J3 across workers): items done, the average rate since the
 * first claim and the ETA, whether a cancel was requested, and per partition how far it is and which
 * worker holds its lease.
 *
 * @param jobId the job
 * @param totalItems items in the job
 * @param doneItems items committed, over every partition
 * @param elapsed time since the first claim on the server's clock, until now or until the last partition
 *        completed (zero before the first claim)
 * @param cancelReason the reason of a requested cancel, or null when none was requested
 * @param partitions each partition, in order
 */
public record ClusterStatus(String jobId, long totalItems, long doneItems, Duration elapsed,
        @Nullable String cancelReason, List<PartitionStatus> partitions) {

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
            long epoch, @Nullable Duration leaseRemaining, boolean completed) {}

    /**
     * Copies the list.
     *
     * @param jobId the job
     * @param totalItems items in the job
     * @param doneItems items committed
     * @param elapsed time since the first claim
     * @param cancelReason the cancel's reason, or null
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
     * Returns the job's progress: the average rate since the first claim, and the ETA at that rate.
     *
     * @return the progress
     */
    public Progress progress() {
        double rate = elapsed.isZero() || doneItems == 0 ? 0 : doneItems * 1e9 / elapsed.toNanos();
        Duration eta = doneItems == totalItems ? Duration.ZERO
                : rate == 0 ? null : Duration.ofNanos((long) ((totalItems - doneItems) / rate * 1e9));
        return new Progress(isComplete() ? Progress.Event.COMPLETED : Progress.Event.CHECKPOINT, doneItems,
                totalItems, doneItems, elapsed, rate, eta);
    }

    /**
     * Renders the status as text: a progress bar, then one line per partition.
     *
     * @param width the cells of the bar, 1 or more
     * @return the text, lines separated by {@code \n}
     */
    public String render(int width) {
        StringBuilder b = new StringBuilder("job ").append(jobId).append(isComplete() ? " (complete)" : "")
                .append(cancelReason == null ? "" : " (cancel requested: " + cancelReason + ")").append('\n')
                .append(ProgressBar.line(progress(), width)).append('\n')
                .append(String.format(Locale.ROOT, "%9s  %-17s  %-15s  %s%n", "partition", "items", "done", "lease"));
        for (PartitionStatus p : partitions) {
            String lease = p.completed() ? "completed" + (p.owner() == null ? "" : " by " + p.owner())
                    : p.owner() == null ? "free (epoch " + p.epoch() + ")"
                    : p.owner() + " (epoch " + p.epoch() + "), " + remaining(p.leaseRemaining());
            b.append(String.format(Locale.ROOT, "%9d  %-17s  %-15s  %s%n", p.partition(),
                    p.firstItem() + ".." + (p.endItem() - 1), (p.nextItem() - p.firstItem()) + "/"
                    + (p.endItem() - p.firstItem()), lease));
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
