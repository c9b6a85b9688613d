package org.cancelkit.io;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.cancelkit.io.internal.DirLock;
import org.cancelkit.io.internal.FileOps;
import org.cancelkit.io.internal.Journal;
import org.cancelkit.io.internal.Recovery;
import org.cancelkit.io.internal.RealFileOps;
import org.cancelkit.io.internal.Replacement;
import org.cancelkit.io.internal.StagedFile;
import org.cancelkit.io.internal.Targets;
import org.cancelkit.io.internal.Views;
import org.cancelkit.io.internal.TempNames;
import org.jspecify.annotations.Nullable;

/**
 * Several files of one directory, replaced all together or not at all, across crashes (F4): a
 * journal makes the commit atomic, and recovery finishes or undoes an interrupted one.
 *
 * {@snippet :
 * try (FileTransaction tx = FileTransaction.begin(Path.of("/etc/myapp"))) {
 *     tx.writeString("app.conf", appConf);
 *     tx.writeString("users.conf", usersConf);
 *     tx.write("keys.bin", keys);
 *     tx.commit();          // all three are new, durably, when this returns
 * }                         // closed without commit: all three untouched, nothing left behind
 * }
 *
 * <h2>How</h2>
 * {@link #begin} takes the directory's lock and recovers what an earlier crash left. Each
 * {@code write} goes to a temporary file beside its target, synced. {@link #commit()} writes an intent
 * record (each target, temporary file, length and SHA-256), syncs it and the directory, renames it to
 * "committed" and syncs the directory again: that is the commit point. Then it renames each temporary
 * file over its target, syncs, and deletes the record. After a crash, recovery (the next {@code begin}
 * on the directory, or {@link AtomicFiles#recover}) rolls a committed transaction forward, checking
 * each checksum, and an uncommitted one back. The targets are untouched before the commit point.
 *
 * <h2>Locking</h2>
 * One transaction (or recovery) at a time per directory, across threads and processes: the lock file
 * {@code .cancelkit.lock} holds an operating-system lock, which the kernel releases when its process
 * dies, and a record of its owner (pid, boot id, start time). A lock left by a dead process is taken
 * over at once and reported in {@link RecoveryReport#staleLockOwner()}; a live owner's lock is never
 * broken: {@code begin} waits up to {@link FileOptions#lockTimeout()}, then fails with a
 * {@link LockHeldException} naming the owner. The lock file stays in the directory. It is the lock of
 * {@link ExclusiveLock#onDirectory}: take it to read the directory's files as one consistent set.
 *
 * <h2>Cancellation and errors</h2>
 * A failure or cancellation before the commit point aborts the whole transaction: every temporary file
 * is removed (shielded), the lock released, the targets untouched, and the exception reaches the
 * caller. Past the commit point, cancellation is ignored: the commit finishes, shielded, and returns
 * normally. A failure past the commit point is an {@link IncompleteCommitException}: recovery finishes
 * the transaction. A transaction that returned from {@code commit()} is always applied.
 *
 * <h2>Thread safety and memory effects</h2>
 * Not thread-safe: one thread uses a transaction at a time. The lock makes transactions on one
 * directory run one after the other; the file system, not the Java memory model, carries their effects.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>All or none holds across crashes and for readers that take the lock. A reader that does not
 *       sees the targets change one rename at a time during the (short) apply phase of a commit, and
 *       a mix after a crash until recovery runs. To read a consistent set, read inside a
 *       {@code FileTransaction} that writes nothing (it holds the lock and recovers first).</li>
 *   <li>All files are direct children of the directory; a transaction cannot span directories.</li>
 *   <li>Writers that bypass the transaction ({@link AtomicFileWriter} on the same targets) are not
 *       excluded by the lock: each version stays whole, but the group may mix.</li>
 *   <li>Each file's content is held on disk, not in memory; the record lists every file, so keep a
 *       transaction to a reasonable number of files.</li>
 * </ul>
 *
 * <p>Arguments must not be null ({@link NullPointerException} naming the parameter).
 */
public final class FileTransaction implements AutoCloseable {
    private enum State { OPEN, COMMITTED, ABORTED, FAILED }

    private final FileOps fs;
    private final Path directory;
    private final FileOptions options;
    private final String id = TempNames.newTxId();
    private final Map<String, StagedFile> staged = new LinkedHashMap<>();
    private final RecoveryReport recovery;
    /** Null once released. */
    private @Nullable DirLock lock;
    private State state = State.OPEN;
    private @Nullable Throwable failure;

    private FileTransaction(FileOps fs, Path directory, FileOptions options, DirLock lock, RecoveryReport recovery) {
        this.fs = fs;
        this.directory = directory;
        this.options = options;
        this.lock = lock;
        this.recovery = recovery;
    }

    /**
     * Begins a transaction on {@code directory}, with the default options: takes its lock, then
     * recovers leftovers of earlier crashes.
     *
     * @param directory the directory of the files; it must exist
     * @return the transaction
     * @throws IOException when the lock stays held by a live owner, or recovery fails
     */
    public static FileTransaction begin(Path directory) throws IOException {
        return begin(directory, FileOptions.defaults());
    }

    /**
     * Begins a transaction on {@code directory}: takes its lock, then recovers leftovers of earlier
     * crashes.
     *
     * @param directory the directory of the files; it must exist
     * @param options the settings
     * @return the transaction
     * @throws IOException when the lock stays held by a live owner, or recovery fails
     */
    public static FileTransaction begin(Path directory, FileOptions options) throws IOException {
        return begin(directory, options, RealFileOps.INSTANCE);
    }

    static FileTransaction begin(Path directory, FileOptions options, FileOps fs) throws IOException {
        Path dir = AtomicFiles.checkDirectory(fs, directory);
        Objects.requireNonNull(options, "options");
        DirLock lock = DirLock.acquire(fs, dir, options);
        try {
            return new FileTransaction(fs, dir, options, lock, Recovery.recover(fs, dir, options, lock.staleOwner()));
        } catch (Throwable t) {
            try {
                lock.release(options);
            } catch (Throwable r) {
                t.addSuppressed(r);
            }
            throw t;
        }
    }

    /**
     * Writes the new content of file {@code name}, to a synced temporary file.
     *
     * @param name a file name in the directory, without separators
     * @param content the content
     * @throws IOException when writing fails; the transaction is then aborted
     */
    public void write(String name, byte[] content) throws IOException {
        Objects.requireNonNull(content, "content");
        write(name, out -> out.write(content));
    }

    /**
     * Writes the new content of file {@code name} as UTF-8 (strictly: a lone surrogate is an error).
     *
     * @param name a file name in the directory, without separators
     * @param text the content
     * @throws IOException when writing fails; the transaction is then aborted
     */
    public void writeString(String name, CharSequence text) throws IOException {
        Objects.requireNonNull(text, "text");
        write(name, AtomicFiles.utf8(text));
    }

    /**
     * Writes the new content of file {@code name} with a callback.
     *
     * @param name a file name in the directory, without separators
     * @param content writes the content
     * @throws IOException when writing fails; the transaction is then aborted
     * @throws IllegalArgumentException when the name is not a plain file name, is reserved, or was
     *     already written in this transaction
     */
    public void write(String name, FileContent content) throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
        requireOpen();
        Path target = targetOf(name);
        Replacement r = null;
        try {
            Targets.check(fs, target);
            r = Replacement.open(fs, target, directory.resolve(TempNames.txTemp(name, id)), options, true);
            content.writeTo(Views.outputStream(r));
            staged.put(name, r.stage());
        } catch (Throwable t) {
            if (r != null) {
                try {
                    r.abort();
                } catch (Throwable a) {
                    t.addSuppressed(a);
                }
            }
            fail(t);
            throw t;
        }
    }

    private Path targetOf(String name) {
        Path p = directory.resolve(name).normalize();
        if (name.isEmpty() || !directory.equals(p.getParent()) || !p.getFileName().toString().equals(name)) {
            throw new IllegalArgumentException("\"" + name + "\" is not a plain file name in " + directory
                    + "; a transaction writes direct children of its directory only");
        }
        if (TempNames.isReserved(name)) {
            throw new IllegalArgumentException("the file name " + name + " is reserved for cancelkit's temporary "
                    + "files, transaction records and lock; choose another name");
        }
        if (staged.containsKey(name)) {
            throw new IllegalArgumentException(name + " was already written in this transaction; write each file "
                    + "once");
        }
        return p;
    }

    /**
     * Commits: every file written becomes its target's content, all together, durably; see the class
     * description. Releases the lock. An empty transaction commits nothing.
     *
     * @throws IOException when a step before the commit point failed (nothing changed, nothing left)
     * @throws IncompleteCommitException when a step after it failed (recovery finishes the transaction)
     * @throws org.cancelkit.CancelledException when cancelled before the commit point
     * @throws IllegalStateException when already committed, aborted or failed
     */
    public void commit() throws IOException {
        requireOpen();
        try {
            if (!staged.isEmpty()) {
                Journal.commit(fs, directory, id, new ArrayList<>(staged.values()), options);
            }
            state = State.COMMITTED;
        } catch (IncompleteCommitException e) {
            state = State.COMMITTED;
            failure = e;
            throw e;
        } catch (Throwable t) {
            state = State.FAILED; // Journal.commit removed the temporary files
            failure = t;
            throw t;
        } finally {
            releaseLock(failure);
        }
    }

    /**
     * Abandons the transaction: removes every temporary file (shielded), releases the lock. Idempotent;
     * after a commit it only makes sure the lock is released.
     *
     * @throws IOException when a temporary file or the lock could not be cleaned up (recovery will)
     */
    public void abort() throws IOException {
        if (state == State.OPEN) {
            state = State.ABORTED;
            IOException e = removeTemps();
            releaseLock(e);
            if (e != null) {
                throw e;
            }
        } else {
            releaseLock(null);
        }
    }

    /**
     * Aborts unless committed; see {@link #abort()}.
     *
     * @throws IOException when cleanup failed
     */
    @Override
    public void close() throws IOException {
        abort();
    }

    /**
     * Returns what the recovery run by {@link #begin} did.
     *
     * @return what the recovery run by {@link #begin} did
     */
    public RecoveryReport recovery() {
        return recovery;
    }

    /**
     * Returns the directory, absolute.
     *
     * @return the directory, absolute
     */
    public Path directory() {
        return directory;
    }

    /**
     * Returns the names written so far, in order.
     *
     * @return the names written so far, in order
     */
    public List<String> files() {
        return List.copyOf(staged.keySet());
    }

    /**
     * Returns true once {@link #commit()} has passed the commit point.
     *
     * @return true once committed
     */
    public boolean isCommitted() {
        return state == State.COMMITTED;
    }

    private void fail(Throwable t) {
        state = State.FAILED;
        failure = t;
        IOException e = removeTemps();
        if (e != null) {
            t.addSuppressed(e);
        }
        releaseLock(t);
    }

    private @Nullable IOException removeTemps() {
        IOException first = null;
        for (StagedFile s : staged.values()) {
            try {
                AtomicFiles.deleteShielded(fs, s.temp(), options);
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        return first;
    }

    /** Releases the lock once; a failure is added to {@code primary}, or thrown when there is none. */
    private void releaseLock(@Nullable Throwable primary) {
        DirLock l = lock;
        lock = null;
        if (l == null) {
            return;
        }
        try {
            l.release(options);
        } catch (IOException | RuntimeException e) {
            if (primary != null) {
                primary.addSuppressed(e);
            }
            // otherwise the lock file keeps a record; the OS lock is gone with the closed file, so the
            // next owner takes it over as stale
        }
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("this transaction on " + directory + " is " + state.name().toLowerCase(
                    java.util.Locale.ROOT) + (failure == null ? "" : " (" + failure + ")") + "; begin a new one",
                    failure);
        }
    }

    @Override
    public String toString() {
        return "FileTransaction[" + directory + ", " + staged.size() + " files, " + state + "]";
    }
}
