package org.cancelkit.io;

import java.io.IOException;
import java.io.Serial;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A commit passed its point of no return, then a later step failed: neither "done" nor "failed".
 *
 * <ul>
 *   <li>From {@link AtomicFileWriter#commit()}: the target <em>was replaced</em> and readers see the
 *       new content, but syncing its directory failed (or did not finish within the cleanup budget),
 *       so a power loss could still bring the old content back. Do not treat the write as lost: write
 *       it again if it must be durable.</li>
 *   <li>From {@link FileTransaction#commit()}: the commit record was renamed, but either its
 *       directory sync or applying the files failed. The transaction is all-or-nothing still; which
 *       one is decided, and finished, by recovery ({@link AtomicFiles#recover} or the next
 *       {@link FileTransaction#begin} on the directory). Until then readers may see a mix.</li>
 * </ul>
 *
 * <p>The cause is the failure of the later step. F2 holds: a commit that throws this never reported
 * success.
 */
public final class IncompleteCommitException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The target file, or the transaction's directory. */
    private final transient Path path;

    /**
     * Creates the exception.
     *
     * @param path the target file, or the transaction's directory
     * @param message what happened and what to do
     * @param cause the failure of the step after the point of no return
     */
    public IncompleteCommitException(Path path, String message, Throwable cause) {
        super(message, cause);
        this.path = Objects.requireNonNull(path, "path");
    }

    /**
     * Returns the target file (for a writer) or the directory (for a transaction).
     *
     * @return the target file (for a writer) or the directory (for a transaction)
     */
    public Path path() {
        return path;
    }
}
