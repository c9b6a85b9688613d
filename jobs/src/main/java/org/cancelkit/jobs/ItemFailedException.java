package org.cancelkit.jobs;

import java.io.Serial;

/**
 * An item's {@link ItemProcessor} threw. The items before it are checkpointed (their output is in
 * the output file, exactly once); the failed item left no output. Fix the cause and run the job again:
 * it resumes at this item.
 */
public final class ItemFailedException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The failed item's index. */
    private final long index;

    /**
     * Creates the exception.
     *
     * @param jobId the job's id
     * @param index the failed item's index
     * @param cause what the processor threw
     */
    public ItemFailedException(String jobId, long index, Throwable cause) {
        super("job '" + jobId + "': item " + index + " failed: " + cause + "; the items before it are "
                + "checkpointed, run the job again to resume at item " + index, cause);
        this.index = index;
    }

    /**
     * Returns the failed item's index.
     *
     * @return the failed item's index
     */
    public long index() {
        return index;
    }
}
