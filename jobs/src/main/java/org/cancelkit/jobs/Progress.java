package org.cancelkit.jobs;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One progress event of a {@link Job} (J3): how many items are done out of how many, and, for this
 * run, the rate and the estimated time to the end.
 *
 * <p>Time is read from the job's {@link org.cancelkit.MonotonicClock}
 * ({@link JobOptions#withClock}), so on a {@code VirtualClock} a scripted pace gives
 * exact figures. The rate and the ETA count only the items processed in this run: items done by
 * earlier runs (resumed from the checkpoint) took no time of this one.
 *
 * <ul>
 *   <li>{@code itemsPerSecond} = {@code doneThisRun} / {@code elapsed}, 0 while nothing is done or no
 *       time has passed;</li>
 *   <li>{@code eta} = ({@code total} − {@code done}) × {@code elapsed} / {@code doneThisRun}, exact to
 *       the nanosecond (integer arithmetic); null while it cannot be estimated ({@code doneThisRun} is
 *       0), and {@link Duration#ZERO} once everything is done.</li>
 * </ul>
 *
 * @param event what happened
 * @param done items done, by this run and earlier ones
 * @param total items in the job
 * @param doneThisRun items processed by this run
 * @param elapsed time since this run started
 * @param itemsPerSecond this run's rate
 * @param eta estimated time until every item is done, or null while unknown
 */
public record Progress(Event event, long done, long total, long doneThisRun, Duration elapsed,
        double itemsPerSecond, @Nullable Duration eta) {

    /** What a progress event reports. */
    public enum Event {
        /** A run starts with no earlier work: {@code done} is 0. */
        STARTED,
        /** A run starts from a checkpoint: {@code done} is the checkpoint's item count. */
        RESUMED,
        /** An item is done. */
        ITEM_DONE,
        /** A checkpoint was written: everything up to {@code done} survives a crash. */
        CHECKPOINT,
        /** Every item is done and checkpointed. */
        COMPLETED,
        /** The run stopped early (cancelled or failed), after saving a checkpoint of {@code done} items. */
        STOPPED
    }

    /**
     * Validates the figures.
     *
     * @param event what happened
     * @param done items done
     * @param total items in the job
     * @param doneThisRun items processed by this run
     * @param elapsed time since this run started
     * @param itemsPerSecond this run's rate
     * @param eta estimated time until every item is done, or null while unknown
     * @throws IllegalArgumentException when a count is negative or out of order
     */
    public Progress {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(elapsed, "elapsed");
        if (done < 0 || total < 0 || done > total || doneThisRun < 0 || doneThisRun > done) {
            throw new IllegalArgumentException("progress counts out of order: need 0 <= doneThisRun ("
                    + doneThisRun + ") <= done (" + done + ") <= total (" + total + ")");
        }
    }

    /**
     * Returns the part done, from 0 to 1 (1 for a job without items).
     *
     * @return the part done, from 0 to 1 (1 for a job without items)
     */
    public double fraction() {
        return total == 0 ? 1.0 : (double) done / total;
    }
}
