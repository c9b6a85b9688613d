package org.cancelkit.io;

import java.io.Serial;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A lock stayed held by another owner for as long as the caller would wait: another process (named by
 * pid, start time and boot id, from the record the holder wrote into the lock file), or another thread
 * of this process. Thrown by {@link ExclusiveLock#acquire}, {@link FileTransaction#begin} and
 * {@link AtomicFiles#recover} (the directory's lock), and by a job's second run. Nothing was changed.
 *
 * <p>What to do: wait for the holder to finish and try again, wait longer (a larger timeout), or stop
 * the holder. A lock is never broken while its holder is alive; a dead holder's lock is free at once.
 */
public final class LockHeldException extends FileSystemException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Who holds the lock; written once by the constructor. */
    private final String holder;

    /**
     * Creates the exception.
     *
     * @param lockFile the lock file
     * @param holder who holds it, in words ("pid 4242 (started …, boot …)")
     * @param message the whole message: what is locked, by whom, and what to do
     */
    public LockHeldException(Path lockFile, String holder, String message) {
        super(Objects.requireNonNull(lockFile, "lockFile").toString(), null, Objects.requireNonNull(message,
                "message"));
        this.holder = Objects.requireNonNull(holder, "holder");
    }

    /**
     * Returns who holds the lock, in words: a process ({@code "pid 4242 (started 2026-…, boot …)"}),
     * another thread of this process, or {@code "another process (not yet recorded)"} in the instant
     * between a holder's lock and its record.
     *
     * @return who holds the lock
     */
    public String holder() {
        return holder;
    }
}
