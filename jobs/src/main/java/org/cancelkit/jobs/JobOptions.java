package org.cancelkit.jobs;

import java.time.Duration;
import java.util.Objects;
import org.cancelkit.MonotonicClock;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link Job} checkpoints and reports progress. Immutable; {@code withX} returns a copy.
 *
 * <p>A checkpoint is written after every {@code checkpointEveryItems} items, or as soon as an item
 * ends {@code checkpointEvery} or more after the last checkpoint, whichever comes first; and always at
 * the end, and when the job stops early. A crash loses at most the work since the last checkpoint.
 *
 * @param stateVersion the version of the state's shape; a checkpoint of another version is refused
 *        ({@link CheckpointException.Problem#WRONG_STATE_VERSION}); 1 or more
 * @param checkpointEveryItems items between checkpoints, 1 or more
 * @param checkpointEvery the longest time between checkpoints, on the job's clock; positive
 * @param cleanupBudget how long the final checkpoint of a cancelled or failed run may take (it runs
 *        shielded from the cancellation, C6); positive
 * @param clock the clock for checkpoint intervals and progress, or null for
 *        {@link MonotonicClock#current()} when the job runs
 * @param listener receives the progress events
 * @param maxCheckpointBytes the largest checkpoint file the job writes or reads, and the longest string
 *        or field name its state may hold; a larger state is a {@link CheckpointException} with
 *        {@link CheckpointException.Problem#TOO_LARGE}, and a larger file is refused unread. It bounds
 *        the memory that reading a damaged or hostile checkpoint can take. 1 KiB or more; default 64 MiB
 */
public record JobOptions(int stateVersion, int checkpointEveryItems, Duration checkpointEvery,
        Duration cleanupBudget, @Nullable MonotonicClock clock, ProgressListener listener, int maxCheckpointBytes) {

    /** The default {@link #maxCheckpointBytes()}: 64 MiB. */
    public static final int DEFAULT_MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;

    /**
     * Validates the settings.
     *
     * @param stateVersion the version of the state's shape
     * @param checkpointEveryItems items between checkpoints
     * @param checkpointEvery the longest time between checkpoints
     * @param cleanupBudget how long the final checkpoint of a stopped run may take
     * @param clock the clock, or null for the current one
     * @param listener receives the progress events
     * @param maxCheckpointBytes the largest checkpoint, in bytes
     * @throws IllegalArgumentException when a number or duration is out of range
     */
    public JobOptions {
        Objects.requireNonNull(checkpointEvery, "checkpointEvery");
        Objects.requireNonNull(cleanupBudget, "cleanupBudget");
        Objects.requireNonNull(listener, "listener");
        if (stateVersion < 1) {
            throw new IllegalArgumentException("stateVersion must be 1 or more, was " + stateVersion);
        }
        if (checkpointEveryItems < 1) {
            throw new IllegalArgumentException("checkpointEveryItems must be 1 or more, was " + checkpointEveryItems
                    + "; to checkpoint by time only, give a large count and a checkpointEvery duration");
        }
        if (checkpointEvery.isNegative() || checkpointEvery.isZero()) {
            throw new IllegalArgumentException("checkpointEvery must be positive, was " + checkpointEvery);
        }
        if (cleanupBudget.isNegative() || cleanupBudget.isZero()) {
            throw new IllegalArgumentException("cleanupBudget must be positive, was " + cleanupBudget);
        }
        if (maxCheckpointBytes < 1024) {
            throw new IllegalArgumentException("maxCheckpointBytes must be 1024 or more, was " + maxCheckpointBytes);
        }
    }

    /**
     * Returns the defaults: state version 1, a checkpoint every 1,000 items or 10 seconds, 10 seconds
     * for the final checkpoint, the current clock, no listener, checkpoints of at most 64 MiB.
     *
     * @return the defaults
     */
    public static JobOptions defaults() {
        return new JobOptions(1, 1_000, Duration.ofSeconds(10), Duration.ofSeconds(10), null, ProgressListener.NONE,
                DEFAULT_MAX_CHECKPOINT_BYTES);
    }

    /**
     * Returns a copy with another state version.
     *
     * @param version the version of the state's shape, 1 or more
     * @return a copy with another state version
     */
    public JobOptions withStateVersion(int version) {
        return new JobOptions(version, checkpointEveryItems, checkpointEvery, cleanupBudget, clock, listener,
                maxCheckpointBytes);
    }

    /**
     * Returns a copy that checkpoints after every {@code items} items.
     *
     * @param items items between checkpoints, 1 or more
     * @return a copy that checkpoints after every {@code items} items
     */
    public JobOptions withCheckpointEveryItems(int items) {
        return new JobOptions(stateVersion, items, checkpointEvery, cleanupBudget, clock, listener,
                maxCheckpointBytes);
    }

    /**
     * Returns a copy that checkpoints at least every {@code interval} of the clock.
     *
     * @param interval the longest time between checkpoints, positive
     * @return a copy that checkpoints at least every {@code interval}
     */
    public JobOptions withCheckpointEvery(Duration interval) {
        return new JobOptions(stateVersion, checkpointEveryItems, interval, cleanupBudget, clock, listener,
                maxCheckpointBytes);
    }

    /**
     * Returns a copy with another budget for the final checkpoint of a stopped run.
     *
     * @param budget how long it may take, positive
     * @return a copy with another budget
     */
    public JobOptions withCleanupBudget(Duration budget) {
        return new JobOptions(stateVersion, checkpointEveryItems, checkpointEvery, budget, clock, listener,
                maxCheckpointBytes);
    }

    /**
     * Returns a copy on another clock (a {@code VirtualClock} in tests).
     *
     * @param clock the clock
     * @return a copy on another clock
     */
    public JobOptions withClock(MonotonicClock clock) {
        return new JobOptions(stateVersion, checkpointEveryItems, checkpointEvery, cleanupBudget,
                Objects.requireNonNull(clock, "clock"), listener, maxCheckpointBytes);
    }

    /**
     * Returns a copy with another progress listener.
     *
     * @param listener receives the progress events
     * @return a copy with another progress listener
     */
    public JobOptions withListener(ProgressListener listener) {
        return new JobOptions(stateVersion, checkpointEveryItems, checkpointEvery, cleanupBudget, clock, listener,
                maxCheckpointBytes);
    }

    /**
     * Returns a copy that allows checkpoints of up to {@code bytes}.
     *
     * @param bytes the largest checkpoint file, and the longest string in the state; 1024 or more
     * @return a copy with another limit
     */
    public JobOptions withMaxCheckpointBytes(int bytes) {
        return new JobOptions(stateVersion, checkpointEveryItems, checkpointEvery, cleanupBudget, clock, listener,
                bytes);
    }
}
