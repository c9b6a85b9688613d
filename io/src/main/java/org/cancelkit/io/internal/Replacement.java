package org.cancelkit.io.internal;

import java.io.Flushable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.cancelkit.CancelAction;
import org.cancelkit.Cancellation;
import org.cancelkit.io.CommitStep;
import org.cancelkit.io.FileOptions;
import org.cancelkit.io.IncompleteCommitException;
import org.jspecify.annotations.Nullable;

/**
 * One new version of one file, written to a temporary file beside its target: the core behind
 * {@code AtomicFileWriter} and behind each file of a transaction.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>The target is touched by one call only, the atomic {@link FileOps#rename}, and only after the
 *       temporary file was completely written, synced and closed. Before it the target is the old
 *       version; after it, the new one (F1).</li>
 *   <li>Every exit other than a commit or a staging removes the temporary file, shielded from
 *       cancellation (C6), and a failure to remove it is reported (F3).</li>
 *   <li>Cancellation is seen before the rename only: at {@link Cancellation#check()} before every chunk
 *       and just before the rename, and by the cancel action that closes the channel while a chunk is
 *       being written or synced. After the rename nothing reports a failure that is not one: the
 *       directory sync runs shielded, and its failure is an {@link IncompleteCommitException}.</li>
 *   <li>A failure of the file sync is final: the state becomes FAILED and the temporary file is
 *       removed, so a later commit cannot succeed on data the disk may have dropped (fsyncgate).</li>
 *   <li>A replaced file keeps its permissions (the temporary file is created with them) and, where the
 *       process may change them, its owner and group ({@link Owners#keep}).</li>
 * </ol>
 *
 * <p>Confined to its owning thread, except the cancel action, which only closes the file (itself
 * thread-safe). Fields other than the final ones are read and written by the owning thread only.
 */
public final class Replacement {
    private static final int CHUNK = 256 * 1024;
    private static final int BUFFER = 64 * 1024;

    private enum State { OPEN, STAGED, COMMITTED, ABORTED, FAILED }

    private final FileOps fs;
    private final Path target;
    private final Path temp;
    private final FileOptions options;
    private final FileOps.WritableFile file;
    private final CancelAction closeOnCancel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
    private final @Nullable MessageDigest digest;
    private final List<Flushable> views = new ArrayList<>(1);
    /** The replaced file's owner and group, or null for a new file or a file system without owners. */
    private final FileOps.@Nullable Owner targetOwner;
    private State state = State.OPEN;
    private long size;
    private @Nullable Throwable failure;

    private Replacement(FileOps fs, Path target, Path temp, FileOptions options, FileOps.WritableFile file,
                        @Nullable MessageDigest digest, FileOps.@Nullable Owner targetOwner) {
        this.fs = fs;
        this.targetOwner = targetOwner;
        this.target = target;
        this.temp = temp;
        this.options = options;
        this.file = file;
        this.digest = digest;
        this.closeOnCancel = CancelAction.of(this::closeQuietly);
    }

    /**
     * Opens a writer for {@code target}, with a temporary file named for this process.
     *
     * @param fs the file system
     * @param target the file to replace
     * @param options the settings
     * @return the replacement
     * @throws IOException when the temporary file cannot be created
     */
    public static Replacement open(FileOps fs, Path target, FileOptions options) throws IOException {
        Path absolute = Targets.check(fs, target);
        String name = TempNames.writerTemp(Targets.fileName(absolute), OwnerId.current());
        return open(fs, absolute, absolute.resolveSibling(name), options, false);
    }

    /**
     * Opens a replacement whose temporary file is {@code temp}; with {@code digest}, it computes the
     * SHA-256 of the content for a transaction record.
     *
     * @param fs the file system
     * @param target the file to replace, absolute
     * @param temp the temporary file: beside the target, except in tests of a cross-device rename
     * @param options the settings
     * @param digest whether to compute the SHA-256 of the content
     * @return the replacement
     * @throws IOException when the temporary file cannot be created
     */
    public static Replacement open(FileOps fs, Path target, Path temp, FileOptions options, boolean digest)
            throws IOException {
        Checks.cancellation(target);
        Set<PosixFilePermission> permissions = fs.permissions(target);
        if (permissions == null) {
            permissions = options.newFilePermissions();
        }
        FileOps.Owner owner = fs.owner(target);
        FileOps.WritableFile file = fs.createNew(temp, permissions);
        Targets.LIVE.add(temp);
        Replacement r = new Replacement(fs, target, temp, options, file, digest ? TxRecord.digest() : null, owner);
        if (permissions != null) {
            try {
                fs.setPermissions(temp, permissions); // exact, whatever the umask removed at creation
            } catch (Throwable t) {
                throw r.failed(t);
            }
        }
        return r;
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes all of {@code source}.
     *
     * @param source the bytes
     * @throws IOException when the write fails; the replacement is then aborted
     */
    public void write(ByteBuffer source) throws IOException {
        requireOpen();
        try {
            Checks.cancellation(target); // cheap: one volatile read and the interrupt flag
            int n = source.remaining();
            if (n > buffer.remaining()) {
                drain();
                if (n >= buffer.capacity()) {
                    writeOut(source);
                }
            }
            buffer.put(source);
            size += n;
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    /**
     * Pushes buffered bytes to the file (no sync).
     *
     * @throws IOException when the write fails; the replacement is then aborted
     */
    public void flush() throws IOException {
        requireOpen();
        try {
            drain();
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    private void drain() throws IOException {
        buffer.flip();
        try {
            writeOut(buffer);
        } finally {
            buffer.clear();
        }
    }

    private void writeOut(ByteBuffer source) throws IOException {
        while (source.hasRemaining()) {
            Checks.cancellation(target);
            int n = Math.min(source.remaining(), CHUNK);
            ByteBuffer chunk = source.slice(source.position(), n);
            if (digest != null) {
                digest.update(chunk.duplicate());
            }
            inRegion(() -> {
                while (chunk.hasRemaining()) {
                    file.write(chunk);
                }
            });
            source.position(source.position() + n);
        }
    }

    /** Runs file I/O where cancellation closes the file instead of interrupting the thread (C9). */
    private void inRegion(Checks.IoAction action) throws IOException {
        Cancellation.withCancelAction(closeOnCancel, () -> {
            action.run();
            return null;
        });
    }

    // ------------------------------------------------------------------ committing

    /**
     * Commits: writes and syncs the temporary file, renames it over the target, syncs the directory.
     *
     * @throws IOException when a step before the rename failed (the target is unchanged and the
     *     temporary file removed), or an {@link IncompleteCommitException} after it
     */
    public void commit() throws IOException {
        requireOpen();
        try {
            finishTemp();
        } catch (Throwable t) {
            throw failed(t);
        }
        try {
            fs.rename(temp, target);
        } catch (IOException e) {
            if (!tempStillThere()) {
                state = State.COMMITTED;
                Targets.LIVE.remove(temp);
                throw new IncompleteCommitException(target, "renaming " + temp + " over " + target + " reported an "
                        + "error, but the temporary file is gone: the target may hold the new content; check it, "
                        + "and write again if it must be durable", e);
            }
            throw failed(e);
        } catch (Throwable t) {
            throw failed(t);
        }
        state = State.COMMITTED; // invariant 3: from here on, the caller is never told "failed"
        Targets.LIVE.remove(temp);
        Steps.afterPointOfNoReturn(options, CommitStep.TARGET_REPLACED);
        try {
            Checks.shielded(options, () -> Checks.syncDirectoryPastNoReturn(fs, directory()));
        } catch (IOException | RuntimeException e) {
            throw new IncompleteCommitException(target, target + " was replaced and readers see the new content, "
                    + "but syncing its directory failed, so a power loss could still bring the old content back; "
                    + "write it again if it must be durable", e);
        }
        Steps.afterPointOfNoReturn(options, CommitStep.TARGETS_DURABLE);
    }

    /**
     * Finishes the temporary file for a transaction: written, synced and closed, but not renamed.
     *
     * @return what the transaction record needs
     * @throws IOException when a step failed; the temporary file is then removed
     */
    public StagedFile stage() throws IOException {
        requireOpen();
        try {
            finishTemp();
        } catch (Throwable t) {
            throw failed(t);
        }
        state = State.STAGED;
        Targets.LIVE.remove(temp);
        byte[] sha = Objects.requireNonNull(digest, "opened without a digest").digest();
        return new StagedFile(target, temp, size, sha);
    }

    private void finishTemp() throws IOException {
        for (Flushable view : views) {
            view.flush();
        }
        drain();
        Owners.keep(fs, temp, targetOwner); // invariant 5
        inRegion(file::sync); // invariant 4: a failure here ends the replacement (see failed)
        file.close();
        Steps.beforePointOfNoReturn(options, CommitStep.TEMP_WRITTEN);
        Checks.cancellation(target); // the last cancellation point before the rename
    }

    private boolean tempStillThere() {
        try {
            return fs.kind(temp) == FileOps.Kind.FILE;
        } catch (IOException e) {
            return false; // cannot tell: assume the rename may have happened
        }
    }

    // ------------------------------------------------------------------ aborting

    /**
     * Aborts: removes the temporary file, shielded. Idempotent; a no-op once committed.
     *
     * @throws IOException when the temporary file could not be removed (recovery will remove it)
     */
    public void abort() throws IOException {
        if (state != State.OPEN && state != State.STAGED) {
            return;
        }
        state = State.ABORTED;
        removeTemp();
    }

    private void removeTemp() throws IOException {
        try {
            Checks.shielded(options, () -> {
                closeQuietly();
                fs.deleteIfExists(temp);
            });
        } catch (IOException | RuntimeException e) {
            throw new IOException("could not remove the temporary file " + temp + " (" + e + "); the target "
                    + target + " is unchanged, and recovery (AtomicFiles.recover on its directory) will remove it",
                    e);
        } finally {
            Targets.LIVE.remove(temp);
        }
    }

    /** Ends the replacement after {@code t} (invariant 2); returns what to throw. */
    private IOException failed(Throwable t) {
        if (state == State.OPEN) {
            state = State.FAILED;
            failure = t;
            try {
                removeTemp();
            } catch (Throwable cleanup) {
                t.addSuppressed(cleanup);
            }
        }
        return Checks.rethrow(t);
    }

    private void closeQuietly() {
        try {
            file.close();
        } catch (IOException e) {
            // the file is being abandoned; its removal reports what matters
        }
    }

    private void requireOpen() {
        switch (state) {
            case OPEN -> { }
            case COMMITTED -> throw new IllegalStateException("already committed to " + target
                    + "; open a new writer to write another version");
            case STAGED -> throw new IllegalStateException("already staged for " + target);
            case ABORTED -> throw new IllegalStateException("aborted: nothing more can be written for " + target
                    + "; open a new writer");
            case FAILED -> throw new IllegalStateException("an earlier step failed (" + failure + ") and the write "
                    + "was abandoned; " + target + " is unchanged: open a new writer", failure);
        }
    }

    // ------------------------------------------------------------------ views and queries

    /**
     * Returns true while writes are accepted.
     *
     * @return true while writes are accepted
     */
    public boolean isOpen() {
        return state == State.OPEN;
    }

    /**
     * Returns true once the target was replaced.
     *
     * @return true once the target was replaced
     */
    public boolean isCommitted() {
        return state == State.COMMITTED;
    }

    /**
     * Returns the bytes accepted so far.
     *
     * @return the bytes accepted so far
     */
    public long size() {
        return size;
    }

    /**
     * Returns the target, absolute.
     *
     * @return the target, absolute
     */
    public Path target() {
        return target;
    }

    /**
     * Returns the temporary file.
     *
     * @return the temporary file
     */
    public Path temp() {
        return temp;
    }

    private Path directory() {
        return Objects.requireNonNull(target.getParent());
    }

    /** Registers a view that buffers on its own: {@link #commit()} and {@link #stage()} flush it first. */
    void register(Flushable view) {
        views.add(view);
    }
}
