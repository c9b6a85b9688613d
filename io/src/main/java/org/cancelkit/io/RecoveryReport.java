package org.cancelkit.io;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one recovery of a directory did: an immutable snapshot for logs and tests.
 *
 * {@snippet :
 * RecoveryReport report = AtomicFiles.recover(dir);
 * if (!report.changedNothing()) {
 *     log.info("recovered after a crash: {}", report);
 * }
 * report.refused().forEach(r -> log.error("{}", r));   // damaged or forged: see Refusal
 * }
 *
 * @param directory the directory recovered
 * @param rolledForward committed transactions finished
 * @param rolledBack uncommitted transactions undone
 * @param tempFilesRemoved leftover temporary files deleted (from writers and transactions that died,
 *     not counting those of the transactions rolled back)
 * @param tempFilesInUse temporary files left alone because a live writer may still be using them
 * @param staleLockOwner the owner recorded by a lock that a dead process left behind and that this
 *     recovery took over, if any
 * @param refused committed transaction records that recovery did not trust and left as they are,
 *     with their temporary files: damaged, or forged by someone who can write the directory. Empty in
 *     a directory whose writers are all cancelkit. See {@link Refusal}.
 */
public record RecoveryReport(Path directory, int rolledForward, int rolledBack, int tempFilesRemoved,
                             int tempFilesInUse, Optional<String> staleLockOwner, List<Refusal> refused) {

    /**
     * A committed transaction record that recovery refused to act on, and why. Recovery touched
     * nothing for it: not the record, not its temporary files, not the files it names; every later
     * recovery reports it again until someone removes it.
     *
     * <p>What to do: if only trusted processes write the directory, the record was damaged (the disk
     * lost synced data, or someone edited it): check the files it names, restore them from a backup if
     * needed, then delete the record. If less trusted users can write the directory, someone may have
     * forged it to make recovery write elsewhere: keep it as evidence, then delete it.
     *
     * @param record the record's path
     * @param reason what is wrong with it, in words
     */
    public record Refusal(Path record, String reason) {
        /**
         * Validates the parts.
         *
         * @throws NullPointerException when a part is null
         */
        public Refusal {
            Objects.requireNonNull(record, "record");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return record + " refused: " + reason;
        }
    }

    /**
     * Validates the parts.
     *
     * @throws NullPointerException when {@code directory}, {@code staleLockOwner} or {@code refused} is null
     * @throws IllegalArgumentException when a count is negative
     */
    public RecoveryReport {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(staleLockOwner, "staleLockOwner");
        refused = List.copyOf(refused);
        if (rolledForward < 0 || rolledBack < 0 || tempFilesRemoved < 0 || tempFilesInUse < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }

    /**
     * Returns true when the directory needed nothing: no transaction to finish or undo, no leftover
     * removed, no stale lock taken over. A second recovery in a row always reports this. It says
     * nothing about records recovery refused: see {@link #refused()}.
     *
     * @return true when the recovery changed nothing
     */
    public boolean changedNothing() {
        return rolledForward == 0 && rolledBack == 0 && tempFilesRemoved == 0 && staleLockOwner.isEmpty();
    }
}
