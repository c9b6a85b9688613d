package org.cancelkit.jobs;

import java.util.Objects;

/**
 * A job's checkpoint: how far it got, with the state and the output length that go with it.
 *
 * <p>Everything in a checkpoint is consistent: {@code state} is the state after items
 * {@code 0 .. nextItem - 1}, and the first {@code outputLength} bytes of the output file are exactly
 * their output. On disk it is a JSON document with a format version and a CRC32C of its body (see
 * {@link Job}).
 *
 * @param jobId the job's id
 * @param stateVersion the version of the state's shape
 * @param nextItem the first item not done (equal to {@code totalItems} when the job is complete)
 * @param totalItems items in the job
 * @param outputLength bytes of output that belong to the done items
 * @param state the state after the done items
 * @param <S> the state type
 */
public record Checkpoint<S>(String jobId, int stateVersion, long nextItem, long totalItems, long outputLength,
        S state) {

    /**
     * Validates the figures.
     *
     * @param jobId the job's id
     * @param stateVersion the version of the state's shape
     * @param nextItem the first item not done
     * @param totalItems items in the job
     * @param outputLength bytes of output that belong to the done items
     * @param state the state after the done items
     * @throws IllegalArgumentException when a figure is out of range
     */
    public Checkpoint {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(state, "state");
        if (nextItem < 0 || nextItem > totalItems || outputLength < 0) {
            throw new IllegalArgumentException("checkpoint figures out of range: need 0 <= nextItem (" + nextItem
                    + ") <= totalItems (" + totalItems + ") and outputLength (" + outputLength + ") >= 0");
        }
    }

    /**
     * Returns whether every item is done.
     *
     * @return whether every item is done
     */
    public boolean isComplete() {
        return nextItem == totalItems;
    }
}
