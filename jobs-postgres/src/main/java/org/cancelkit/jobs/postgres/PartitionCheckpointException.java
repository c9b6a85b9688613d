package org.cancelkit.jobs.postgres;

import java.io.IOException;
import java.io.Serial;
import java.util.Objects;
import org.cancelkit.jobs.CheckpointException.Problem;
import org.jspecify.annotations.Nullable;

/**
 * A partition's checkpoint in the database, or the job it belongs to, cannot be trusted (J2, J4): the
 * worker refuses it rather than start the partition over or resume from damaged data. Also a checkpoint
 * that would be over the job's size limit ({@link Problem#TOO_LARGE}, {@code JobOptions.maxCheckpointBytes}
 * or the JSON reader's limits) when it is written: nothing of its chunk is committed. The message names
 * the table, the job and the partition, says what is wrong and how to proceed; {@link #problem()} says
 * it for code, with the same {@link Problem} values as the file-based {@link org.cancelkit.jobs.Job}.
 *
 * <p>How to proceed, in general: if a row was damaged, restore it from a backup; if the job, its items
 * or its state changed on purpose, delete the job ({@link JobDatabase#delete}) and submit it again, or
 * run the code that wrote it.
 */
public final class PartitionCheckpointException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** What is wrong; written once by the constructor. */
    private final Problem problem;
    /** The job; written once by the constructor. */
    private final String jobId;
    /** The partition, or -1 when the job as a whole is at fault; written once by the constructor. */
    private final int partition;

    /**
     * Creates the exception.
     *
     * @param table the table at fault
     * @param jobId the job
     * @param partition the partition, or -1 for the job as a whole
     * @param problem what is wrong
     * @param detail what was found, in words
     * @param howToProceed what the user can do
     * @param cause the underlying failure, or null
     */
    public PartitionCheckpointException(String table, String jobId, int partition, Problem problem, String detail,
            String howToProceed, @Nullable Throwable cause) {
        super("PostgreSQL table " + Objects.requireNonNull(table, "table") + ", job '"
                + Objects.requireNonNull(jobId, "jobId") + "'" + (partition >= 0 ? ", partition " + partition : "")
                + ": " + Objects.requireNonNull(detail, "detail") + " [" + Objects.requireNonNull(problem, "problem")
                + "]. " + Objects.requireNonNull(howToProceed, "howToProceed"), cause);
        this.problem = problem;
        this.jobId = jobId;
        this.partition = partition;
    }

    /**
     * Returns what is wrong.
     *
     * @return what is wrong
     */
    public Problem problem() {
        return problem;
    }

    /**
     * Returns the job.
     *
     * @return the job's id
     */
    public String jobId() {
        return jobId;
    }

    /**
     * Returns the partition at fault.
     *
     * @return the partition, or -1 when the job as a whole is at fault
     */
    public int partition() {
        return partition;
    }
}
