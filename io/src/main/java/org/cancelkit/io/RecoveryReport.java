package org.cancelkit.io;

import java.nio.file.Path;
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
 */
public record RecoveryReport(Path directory, int rolledForward, int rolledBack, int tempFilesRemoved,
                             int tempFilesInUse, Optional<String> staleLockOwner) {

    /**
     * Validates the parts.
     *
     * @throws NullPointerException when {@code directory} or {@code staleLockOwner} is null
     * @throws IllegalArgumentException when a count is negative
     */
    public RecoveryReport {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(staleLockOwner, "staleLockOwner");
        if (rolledForward < 0 || rolledBack < 0 || tempFilesRemoved < 0 || tempFilesInUse < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }

    /**
     * Returns true when the directory needed nothing: no transaction to finish or undo, no leftover
     * removed, no stale lock taken over. A second recovery in a row always reports this.
     *
     * @return true when the recovery changed nothing
     */
    public boolean changedNothing() {
        return rolledForward == 0 && rolledBack == 0 && tempFilesRemoved == 0 && staleLockOwner.isEmpty();
    }
}
