package org.cancelkit.jobs.postgres.internal;

/**
 * A partition's checkpoint: items {@code firstItem .. nextItem - 1} are done, {@code state} is the
 * state after them, and {@code outputRows} rows of built-in output belong to them. Written in one
 * transaction with the items' writes and their output, so all of it is consistent.
 *
 * @param jobId the job
 * @param partition the partition
 * @param partitions partitions in the job
 * @param stateVersion the version of the state's shape
 * @param totalItems items in the job
 * @param firstItem the partition's first item
 * @param endItem one past the partition's last item
 * @param nextItem the first item not done
 * @param outputRows rows in the output table for this partition
 * @param state the state after the done items
 * @param <S> the state type
 */
public record PartitionCheckpoint<S>(String jobId, int partition, int partitions, int stateVersion, long totalItems,
        long firstItem, long endItem, long nextItem, long outputRows, S state) {

    /**
     * Returns a copy further on.
     *
     * @param next the first item not done
     * @param rows the output rows
     * @param newState the state after the done items
     * @return the copy
     */
    public PartitionCheckpoint<S> advance(long next, long rows, S newState) {
        return new PartitionCheckpoint<>(jobId, partition, partitions, stateVersion, totalItems, firstItem, endItem,
                next, rows, newState);
    }

    /**
     * Returns whether the partition is done.
     *
     * @return whether every item of the partition is done
     */
    public boolean isComplete() {
        return nextItem == endItem;
    }
}
