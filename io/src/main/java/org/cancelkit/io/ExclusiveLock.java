package org.cancelkit.io;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.cancelkit.io.internal.DirLock;
import org.cancelkit.io.internal.RealFileOps;

/**
 * An exclusive lock held by this process: one holder at a time across processes and across the threads
 * of this process. It is the lock {@link FileTransaction} and {@link AtomicFiles#recover} take on their
 * directory, and the lock of a job's run, offered for your own use: one instance of a program per data
 * directory, one run of a task at a time.
 *
 * {@snippet :
 * try (ExclusiveLock lock = ExclusiveLock.acquire(Path.of("/var/lib/myapp/import.lock"), Duration.ZERO)) {
 *     runImport();                                   // no other process or thread runs it meanwhile
 * } catch (LockHeldException e) {
 *     log.info("the import is already running: {}", e.holder());
 * }
 * }
 *
 * <h2>How</h2>
 * The lock file (created if missing, never deleted: deleting a lock file races with its next user)
 * holds the operating system's file lock, which the kernel releases when the process dies, however it
 * dies: a killed holder never blocks anyone, and nothing needs cleaning up. The holder writes a record
 * of itself into the file (pid, boot id, start time), so that a busy lock names its holder, and clears
 * it on release. A lock left by a dead process is taken over at once ({@link #staleOwner()}); a live
 * holder's lock is never broken.
 *
 * <p>Within this process, a held lock file is never opened a second time: on POSIX, closing any
 * descriptor of a file drops every lock the process holds on it, so a refused second attempt that had
 * opened and closed the file would let another process in. A second {@code acquire} in this process
 * waits or fails like one from another process.
 *
 * <h2>Safety</h2>
 * The lock file is opened without following symbolic links, and must be a regular file with one link:
 * whoever can write its directory cannot make the holder write elsewhere. The lock excludes only those
 * who take it; it does not stop anyone from writing the files it guards.
 *
 * <h2>Cancellation</h2>
 * {@code acquire} waits on the current token ({@link org.cancelkit.Cancellation#current()}) and its
 * clock: a cancelled wait throws {@link org.cancelkit.CancelledException}. {@link #close()} runs
 * shielded from cancellation, within the default cleanup budget (30 seconds).
 *
 * <h2>Thread safety and memory effects</h2>
 * Thread-safe. The lock is held by the process: any thread may close it, once (later calls do
 * nothing). What a holder did before {@code close()} happens-before what the next holder in this
 * process does after its {@code acquire}; between processes the file system carries the effects.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>File locks may not work on network file systems; where the record names a live holder under a
 *       free operating-system lock, {@code acquire} refuses rather than break it.</li>
 *   <li>Forgetting {@code close()} holds the lock until the process ends: use try-with-resources.</li>
 * </ul>
 *
 * <p>Arguments must not be null ({@link NullPointerException} naming the parameter).
 */
public final class ExclusiveLock implements AutoCloseable {
    private final DirLock lock;

    private ExclusiveLock(DirLock lock) {
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code lockFile}, waiting up to {@code timeout} while another holder has it.
     *
     * @param lockFile the lock file; created if missing, its directory must exist
     * @param timeout how long to wait; {@link Duration#ZERO} tries once
     * @return the held lock
     * @throws LockHeldException when another process or thread holds it for longer than {@code timeout}
     * @throws IOException when the lock file cannot be opened (a symbolic link, a hard link, not a regular
     *     file, a missing directory)
     * @throws org.cancelkit.CancelledException when the current token is cancelled while waiting
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public static ExclusiveLock acquire(Path lockFile, Duration timeout) throws IOException {
        Objects.requireNonNull(lockFile, "lockFile");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout
                    + "; use Duration.ZERO to try once");
        }
        Path file = lockFile.toAbsolutePath().normalize();
        return new ExclusiveLock(DirLock.acquire(RealFileOps.INSTANCE, file, timeout, (f, holder, waited) ->
                f + " is locked by " + holder + "; waited " + waited + ". Wait for it to release the lock, or "
                + "wait longer"));
    }

    /**
     * Takes the lock that {@link FileTransaction} and {@link AtomicFiles#recover} take on
     * {@code directory} (its file {@code .cancelkit.lock}): while you hold it, no transaction or recovery
     * runs there, so you may read the directory's files as one consistent set.
     *
     * @param directory the directory; it must exist, and not be a symbolic link
     * @param timeout how long to wait; {@link Duration#ZERO} tries once
     * @return the held lock
     * @throws LockHeldException when a transaction or recovery holds it for longer than {@code timeout}
     * @throws IOException when the directory is missing or a link, or the lock file cannot be opened
     */
    public static ExclusiveLock onDirectory(Path directory, Duration timeout) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        Path dir = AtomicFiles.checkDirectory(RealFileOps.INSTANCE, directory);
        return new ExclusiveLock(DirLock.acquire(RealFileOps.INSTANCE, dir,
                FileOptions.defaults().withLockTimeout(timeout)));
    }

    /**
     * Returns the lock file, absolute.
     *
     * @return the lock file
     */
    public Path file() {
        return lock.file();
    }

    /**
     * Returns the holder recorded by a dead process whose lock this one took over, if any: that process
     * died holding it, so what it guarded may be half done.
     *
     * @return the dead holder, or empty
     */
    public Optional<String> staleOwner() {
        return lock.staleOwner();
    }

    /**
     * Releases the lock: clears the holder's record, then the operating-system lock, shielded from
     * cancellation. Idempotent.
     *
     * @throws IOException when the lock file cannot be cleared or closed (the operating-system lock is
     *     released anyway when the file closes, or when the process ends)
     */
    @Override
    public void close() throws IOException {
        lock.release(FileOptions.defaults());
    }

    @Override
    public String toString() {
        return "ExclusiveLock[" + lock.file() + "]";
    }
}
