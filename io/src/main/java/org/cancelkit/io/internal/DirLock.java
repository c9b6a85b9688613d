package org.cancelkit.io.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cancelkit.Cancellation;
import org.cancelkit.Timeout;
import org.cancelkit.io.FileOptions;
import org.cancelkit.io.LockHeldException;
import org.jspecify.annotations.Nullable;

/**
 * An exclusive lock held by this process, the one mechanism behind
 * {@link org.cancelkit.io.ExclusiveLock}, the lock of a directory's transactions and recovery (the file
 * {@code .cancelkit.lock}) and the run lock of a job: a lock file locked with the operating system's
 * file lock and holding a record of its owner (pid, boot id, start time).
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>Exclusion comes from the OS lock ({@link FileOps.LockFile#tryLock()}), which the kernel drops
 *       when its process dies, however it dies: a dead owner never blocks anyone.</li>
 *   <li>The record is written after the OS lock is taken and cleared before it is released. A record
 *       found under a free OS lock is therefore a crashed owner's: taken over (stale), and reported.</li>
 *   <li>A record naming another process that is alive (same boot, same pid, same start time) under a
 *       free OS lock means the OS lock does not work here: the lock is refused, never broken.</li>
 *   <li>A lock file held by this process is never opened a second time ({@link FileOps#openLock} returns
 *       null): on POSIX, closing any descriptor of a file drops every lock the process holds on it, so
 *       a refused second attempt must not even open the file.</li>
 * </ol>
 */
public final class DirLock {
    /** Who holds each lock file of this process, for messages; any thread. */
    private static final Map<Path, String> HOLDERS = new ConcurrentHashMap<>();

    private final FileOps.LockFile file;
    private final Path path;
    private final @Nullable String staleOwner;
    private final AtomicBoolean released = new AtomicBoolean();

    private DirLock(FileOps.LockFile file, Path path, @Nullable String staleOwner) {
        this.file = file;
        this.path = path;
        this.staleOwner = staleOwner;
    }

    /**
     * Returns the lock file.
     *
     * @return the lock file
     */
    public Path file() {
        return path;
    }

    /**
     * Takes the lock of {@code directory}'s transactions and recovery, waiting up to the options' lock
     * timeout on the current clock.
     *
     * @param fs the file system
     * @param directory the directory, absolute
     * @param options the settings
     * @return the held lock
     * @throws LockHeldException when it stays held by another owner
     * @throws IOException when it cannot be taken
     */
    public static DirLock acquire(FileOps fs, Path directory, FileOptions options) throws IOException {
        return acquire(fs, directory.resolve(TempNames.LOCK), options.lockTimeout(), (file, holder, waited) ->
                "the directory " + directory + " is locked by " + holder + " (a transaction or recovery is "
                + "running there); waited " + waited + ". Wait for it to finish, or raise FileOptions.lockTimeout");
    }

    /** Says why a lock is busy, for the exception. */
    @FunctionalInterface
    public interface BusyMessage {
        /**
         * Returns the message.
         *
         * @param file the lock file
         * @param holder who holds it, as {@link LockHeldException#holder()}
         * @param waited how long the attempt waited
         * @return the message
         */
        String of(Path file, String holder, Duration waited);
    }

    /**
     * Takes the lock of {@code file}, waiting up to {@code timeout} on the current clock.
     *
     * @param fs the file system
     * @param file the lock file, absolute; created if missing
     * @param timeout how long to wait; zero tries once
     * @param busy the message when it stays held
     * @return the held lock
     * @throws LockHeldException when it stays held by another owner
     * @throws IOException when it cannot be taken
     */
    public static DirLock acquire(FileOps fs, Path file, Duration timeout, BusyMessage busy) throws IOException {
        Path path = file;
        String[] holder = {"unknown"};
        DirLock first = tryOnce(fs, path, holder); // before any deadline can interrupt the attempt
        if (first != null) {
            return first;
        }
        Optional<DirLock> lock = timeout.isZero() ? Optional.empty()
                : Timeout.callOrEmpty(timeout, () -> {
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
            throw new LockHeldException(path, holder[0], busy.of(path, holder[0], timeout));
        }
        return lock.get();
    }

    private static @Nullable DirLock tryOnce(FileOps fs, Path path, String[] holder) throws IOException {
        FileOps.LockFile f = fs.openLock(path);
        if (f == null) {
            String thread = HOLDERS.get(path);
            holder[0] = "another thread of this process" + (thread == null ? "" : " (" + thread + ")");
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
            HOLDERS.put(path, "thread \"" + Thread.currentThread().getName() + "\", since " + Instant.now());
            return new DirLock(f, path, previous == null ? null : previous.describe());
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
        release(options.cleanupBudget());
    }

    /**
     * Clears the record and releases the lock, shielded from cancellation, within {@code budget}.
     * Idempotent: the lock file closes once.
     *
     * @param budget how long it may take
     * @throws IOException when the lock file cannot be cleared or closed
     */
    public void release(Duration budget) throws IOException {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        HOLDERS.remove(path); // still ours: the OS lock goes only below
        Checks.shielded(budget, () -> {
            try {
                file.write(new byte[0]); // invariant 2: cleared before the OS lock goes
            } finally {
                file.close();
            }
        });
    }
}
