package org.cancelkit.io.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.cancelkit.Cancellation;
import org.cancelkit.Timeout;
import org.cancelkit.io.FileOptions;
import org.jspecify.annotations.Nullable;

/**
 * The lock of a directory's transactions and recovery: the file {@code .cancelkit.lock}, locked with
 * the operating system's file lock and holding a record of its owner (pid, boot id, start time).
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>Exclusion comes from the OS lock ({@link FileOps.LockFile#tryLock()}), which the kernel drops
 *       when its process dies, however it dies: a dead owner never blocks anyone.</li>
 *   <li>The record is written after the OS lock is taken and cleared before it is released. A record
 *       found under a free OS lock is therefore a crashed owner's: taken over (stale), and reported.</li>
 *   <li>A record naming another process that is alive (same boot, same pid, same start time) under a
 *       free OS lock means the OS lock does not work here: the lock is refused, never broken.</li>
 * </ol>
 */
public final class DirLock {
    private final FileOps.LockFile file;
    private final @Nullable String staleOwner;

    private DirLock(FileOps.LockFile file, @Nullable String staleOwner) {
        this.file = file;
        this.staleOwner = staleOwner;
    }

    /**
     * Takes the lock of {@code directory}, waiting up to the options' lock timeout on the current clock.
     *
     * @param fs the file system
     * @param directory the directory, absolute
     * @param options the settings
     * @return the held lock
     * @throws IOException when it stays held by another owner, or cannot be taken
     */
    public static DirLock acquire(FileOps fs, Path directory, FileOptions options) throws IOException {
        Path path = directory.resolve(TempNames.LOCK);
        String[] holder = {"unknown"};
        DirLock first = tryOnce(fs, path, holder); // before any deadline can interrupt the attempt
        if (first != null) {
            return first;
        }
        Optional<DirLock> lock = options.lockTimeout().isZero() ? Optional.empty()
                : Timeout.callOrEmpty(options.lockTimeout(), () -> {
                    long backoffMillis = 1;
                    while (true) {
                        try {
                            Cancellation.sleep(Duration.ofMillis(backoffMillis));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt(); // from outside cancelkit: keep it for the caller
                            throw new InterruptedIOException("interrupted while waiting for the lock " + path);
                        }
                        DirLock l = tryOnce(fs, path, holder);
                        if (l != null) {
                            return l;
                        }
                        backoffMillis = Math.min(backoffMillis * 2, 50);
                    }
                });
        if (lock.isEmpty()) {
            throw new FileSystemException(path.toString(), null, "the directory " + directory + " is locked by "
                    + holder[0] + " (a transaction or recovery is running there); waited " + options.lockTimeout()
                    + ". Wait for it to finish, or raise FileOptions.lockTimeout");
        }
        return lock.get();
    }

    private static @Nullable DirLock tryOnce(FileOps fs, Path path, String[] holder) throws IOException {
        FileOps.LockFile f = fs.openLock(path);
        if (f == null) {
            holder[0] = "another thread of this process";
            return null;
        }
        boolean taken = false;
        try {
            if (!f.tryLock()) {
                OwnerId owner = OwnerId.decode(f.read());
                holder[0] = owner == null ? "another process (not yet recorded)" : owner.describe();
                return null;
            }
            OwnerId previous = OwnerId.decode(f.read());
            OwnerId me = OwnerId.current();
            if (previous != null && previous.pid() != me.pid() && previous.liveness() == OwnerId.Liveness.ALIVE) {
                throw new FileSystemException(path.toString(), null, "names a live owner, " + previous.describe()
                        + ", although the operating system's lock on it was free: file locking does not work on "
                        + "this file system (a network file system?). cancelkit never breaks the lock of a live "
                        + "process: stop that process, or delete the lock file if you are sure it does not use "
                        + path.getParent());
            }
            f.write(me.encode());
            taken = true;
            return new DirLock(f, previous == null ? null : previous.describe());
        } finally {
            if (!taken) {
                f.close();
            }
        }
    }

    /**
     * Returns the owner recorded by a dead process's lock that this one took over, if any.
     *
     * @return the owner recorded by a dead process's lock that this one took over, if any
     */
    public Optional<String> staleOwner() {
        return Optional.ofNullable(staleOwner);
    }

    /**
     * Clears the record and releases the lock, shielded from cancellation.
     *
     * @param options the settings (the cleanup budget)
     * @throws IOException when the lock file cannot be cleared or closed
     */
    public void release(FileOptions options) throws IOException {
        Checks.shielded(options, () -> {
            try {
                file.write(new byte[0]); // invariant 2: cleared before the OS lock goes
            } finally {
                file.close();
            }
        });
    }
}
