package org.cancelkit.io;

/**
 * The steps of the replace and transaction protocols, reported to a
 * {@linkplain FileOptions#withStepListener step listener} as each one completes: for progress
 * displays, for logs, and for crash tests that stop the process at a chosen step.
 *
 * <p>A single-file replace ({@link AtomicFileWriter#commit()}) reports {@link #TEMP_WRITTEN},
 * {@link #TARGET_REPLACED}, {@link #TARGETS_DURABLE}. A transaction ({@link FileTransaction}) reports
 * {@link #TEMP_WRITTEN} once per file as it is written, then at commit {@link #INTENT_WRITTEN},
 * {@link #INTENT_DURABLE}, {@link #COMMIT_RENAMED}, {@link #COMMITTED}, {@link #TARGET_REPLACED} once
 * per file, {@link #TARGETS_DURABLE}, {@link #RECORD_DELETED}, {@link #FINISHED}. Recovery reports the
 * {@code RECOVERY_} steps.
 */
public enum CommitStep {
    /** A temporary file was written completely, synced and closed. */
    TEMP_WRITTEN,
    /** A transaction's intent record (its targets, temporary files and checksums) was written and synced. */
    INTENT_WRITTEN,
    /** The directory was synced: the intent record and the temporary files are durable. */
    INTENT_DURABLE,
    /** The intent record was renamed to its committed name: the commit point, not yet durable. */
    COMMIT_RENAMED,
    /** The directory was synced after the rename: the transaction is committed and recovery will finish it. */
    COMMITTED,
    /** A temporary file was renamed over its target: readers now see the new content. */
    TARGET_REPLACED,
    /** The directory was synced after the renames: the new content is durable. */
    TARGETS_DURABLE,
    /** A finished transaction's record was deleted. */
    RECORD_DELETED,
    /** The directory was synced after the record was deleted: the transaction left nothing behind. */
    FINISHED,
    /** Recovery renamed a committed transaction's temporary file over its target. */
    RECOVERY_TARGET_REPLACED,
    /** Recovery removed a leftover temporary file. */
    RECOVERY_TEMP_REMOVED,
    /** Recovery deleted a transaction record it had rolled forward or back. */
    RECOVERY_RECORD_DELETED
}
