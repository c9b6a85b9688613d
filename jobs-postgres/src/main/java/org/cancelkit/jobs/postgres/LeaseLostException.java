package org.cancelkit.jobs.postgres;

import java.io.IOException;
import java.io.Serial;

/**
 * This worker's lease on a partition was taken over by another worker (it expired while this worker
 * was frozen, paused or cut off from the database), so its commit was refused by the fence (J5):
 * nothing of its uncommitted work was written, and the other worker continues the partition from its
 * last checkpoint. The worker stops; the message names the partition, this worker's epoch and the
 * current holder.
 *
 * <p>Nothing is lost and nothing needs repair. If it happens often, the lease is too short for the
 * pauses of this worker's machine ({@link ClusterOptions#withLease}).
 */
public final class LeaseLostException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The partition; written once by the constructor. */
    private final int partition;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the partition, the epochs and the holders
     * @param partition the partition
     */
    public LeaseLostException(String message, int partition) {
        super(message);
        this.partition = partition;
    }

    /**
     * Returns the partition whose lease was lost.
     *
     * @return the partition whose lease was lost
     */
    public int partition() {
        return partition;
    }
}
