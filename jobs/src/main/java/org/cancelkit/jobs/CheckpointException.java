package org.cancelkit.jobs;

import java.io.IOException;
import java.io.Serial;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A checkpoint, or the output it vouches for, cannot be trusted (J2): the job refuses to run rather
 * than silently start again from scratch or resume from damaged data. The message names the file, says
 * what is wrong and how to proceed; {@link #problem()} says it for code.
 *
 * <p>How to proceed, in general: if the file was damaged, restore it from a backup; if the job, its
 * items or its state changed on purpose, start over with {@link Job#reset()} (which throws away the
 * output and the checkpoint) or run the job that wrote the checkpoint.
 */
public final class CheckpointException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Problem {
        /** The checkpoint file is empty. */
        EMPTY,
        /** The checkpoint ends in the middle of its JSON: cut short. */
        TRUNCATED,
        /** The checkpoint is not valid JSON, or its checksum or length does not match its content. */
        CORRUPT,
        /** The file is JSON but not a cancelkit job checkpoint. */
        NOT_A_CHECKPOINT,
        /** The checkpoint is in a format version this cancelkit does not read. */
        UNSUPPORTED_FORMAT,
        /** The checkpoint belongs to another job. */
        WRONG_JOB,
        /** The checkpoint's state has another version than the job's. */
        WRONG_STATE_VERSION,
        /** The checkpoint was written for a different number of items. */
        WRONG_ITEM_COUNT,
        /** The checkpoint's state cannot be read as the job's state type. */
        UNREADABLE_STATE,
        /** The output file is shorter than the checkpoint says (missing, cut or replaced). */
        OUTPUT_SHORTER_THAN_CHECKPOINT,
        /** An output file with content exists but there is no checkpoint for it. */
        OUTPUT_WITHOUT_CHECKPOINT,
        /**
         * The checkpoint, or the state written into it, is over a limit: its size
         * ({@link JobOptions#maxCheckpointBytes()}, which can be raised), or the JSON reader's fixed
         * limits on nesting depth and number length.
         */
        TOO_LARGE,
        /**
         * The checkpoint or the output is not a regular file: a symbolic link, a directory or a device.
         * A job never reads or writes through a link, so that whoever can write its directory cannot
         * make it read or write elsewhere.
         */
        NOT_A_REGULAR_FILE
    }

    /** The file at fault; written once by the constructor. */
    private final transient Path file;
    /** What is wrong; written once by the constructor. */
    private final Problem problem;

    /**
     * Creates the exception.
     *
     * @param file the file at fault
     * @param problem what is wrong
     * @param detail what was found, in words
     * @param howToProceed what the user can do
     * @param cause the underlying failure, or null
     */
    public CheckpointException(Path file, Problem problem, String detail, String howToProceed,
            @org.jspecify.annotations.Nullable Throwable cause) {
        super(Objects.requireNonNull(file, "file") + ": " + Objects.requireNonNull(detail, "detail") + " ["
                + Objects.requireNonNull(problem, "problem") + "]. " + Objects.requireNonNull(howToProceed,
                "howToProceed"), cause);
        this.file = file;
        this.problem = problem;
    }

    /**
     * Returns the file at fault.
     *
     * @return the file at fault
     */
    public Path file() {
        return file;
    }

    /**
     * Returns what is wrong.
     *
     * @return what is wrong
     */
    public Problem problem() {
        return problem;
    }
}
