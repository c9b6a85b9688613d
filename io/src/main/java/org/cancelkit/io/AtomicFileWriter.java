package org.cancelkit.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Objects;
import org.cancelkit.io.internal.FileOps;
import org.cancelkit.io.internal.RealFileOps;
import org.cancelkit.io.internal.Replacement;
import org.cancelkit.io.internal.Views;

/**
 * Replaces a file whole or not at all. The new content
 * goes to a temporary file beside the target; {@link #commit()} flushes it, syncs it, renames it over
 * the target with {@code ATOMIC_MOVE}, and syncs the directory. Any other ending (an exception, a
 * cancellation, {@link #close()} without commit) removes the temporary file and leaves the target as
 * it was.
 *
 * {@snippet :
 * try (AtomicFileWriter w = AtomicFileWriter.open(Path.of("config.json"))) {
 *     Writer text = w.writer(StandardCharsets.UTF_8);
 *     text.write(json);
 *     w.commit();                  // durable when this returns (F2)
 * }                                // closed without commit: temp removed, target untouched (F3)
 * }
 *
 * <h2>What is promised</h2>
 * <ul>
 *   <li>F1: a reader, at any moment and after any crash, sees the complete old content or the complete
 *       new content: the target changes in one atomic rename, after the new content was synced.</li>
 *   <li>F2: {@code commit()} returns normally only when the content and its directory entry are
 *       durable. After a failed fsync it never reports success, not even when called again
 *       (PostgreSQL's "fsyncgate": the kernel may have dropped the unsynced pages).</li>
 *   <li>F3: an abort removes the temporary file, shielded from cancellation (C6) and within
 *       {@link FileOptions#cleanupBudget()}, with the interrupt status restored afterwards. A crash
 *       leaves a temporary file with a recognisable name,
 *       {@code .<name>.<pid>-<boot>-<random>.cancelkit.tmp}; {@link AtomicFiles#recover} removes it.</li>
 *   <li>A replaced target keeps its POSIX permissions; a new one gets
 *       {@link FileOptions#newFilePermissions()} or the default. The temporary file has those
 *       permissions from its creation, so a secret never sits in a more readable file.</li>
 *   <li>A replaced target keeps its owner and group where the process may change them, as
 *       {@code rsync} and {@code install} do: a process running as root gives the new file the old
 *       owner and group; any other process keeps the old group when it belongs to it. Where it may not
 *       (another user's file, replaced by a process that is not root; root without {@code CAP_CHOWN},
 *       as on NFS with {@code root_squash}), the new file belongs to the writing process's user and
 *       group, with the old permissions, and the write succeeds. The owner is set after the content is
 *       written and before the file is synced.</li>
 *   <li>No copy, ever: when the rename cannot be atomic (the target is a bind-mounted file, or on
 *       another file system) the commit fails with
 *       {@link java.nio.file.AtomicMoveNotSupportedException} and the target is unchanged.</li>
 * </ul>
 *
 * <h2>Cancellation</h2>
 * The writer reads the current token ({@link org.cancelkit.Cancellation#current()}): inside
 * {@link org.cancelkit.Timeout#call} or {@link org.cancelkit.CancellationToken#call} it stops when they
 * cancel. Cancellation points are each write call, every 256 KiB written, and just before the rename
 * (the last one). Writes and the file
 * sync run in a cancel-action region ({@link org.cancelkit.Cancellation#withCancelAction}, C9): a
 * cancel does not interrupt the thread but closes this writer's channel, which stops a blocked write at
 * once. The choice keeps the thread's interrupt status out of it; the invariants would hold with
 * interrupts too, and an interrupt from outside cancelkit is handled as a cancel: the write is
 * abandoned, the temporary file removed, and the interrupt status kept.
 * <ul>
 *   <li>Cancelled before the rename: the writer aborts, and the call throws
 *       {@link org.cancelkit.CancelledException} (a {@code Timeout} turns its own deadline into
 *       {@link org.cancelkit.DeadlineExceededException}).</li>
 *   <li>Cancelled after the rename: the commit finishes the directory sync, shielded, and returns
 *       normally. The caller is never told "failed" for a file that was replaced; the next
 *       cancellation point reports the cancel.</li>
 * </ul>
 *
 * <h2>Exceptions</h2>
 * An {@link IOException} before the rename means the target is unchanged and the temporary file is
 * gone; an {@link IncompleteCommitException} means it was replaced but the directory sync failed. After
 * either, the writer is finished: further calls throw {@link IllegalStateException}.
 *
 * <h2>Thread safety and memory effects</h2>
 * Not thread-safe: one thread uses a writer at a time (hand it over through any happens-before edge).
 * Cancellation reaches it through the token of the thread using it. Another process sees the new
 * content as soon as the rename is done; durability comes with the directory sync.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Flush any wrapper you put around a view ({@code BufferedWriter}, a compressor) before
 *       {@code commit()}: the writer flushes its own views, not yours.</li>
 *   <li>A symbolic link as the target is refused: pass {@code target.toRealPath()} to replace the file
 *       it points to.</li>
 *   <li>A process that is not root cannot keep another user's ownership: the new file becomes its own
 *       (see above). Write another user's files as that user, or as root.</li>
 *   <li>Two writers of one target both succeed; the last rename wins, and each version is whole. Use a
 *       {@link FileTransaction} for files that must change together.</li>
 * </ul>
 *
 * <p>Arguments must not be null ({@link NullPointerException} naming the parameter).
 */
public final class AtomicFileWriter implements AutoCloseable {
    private final Replacement replacement;

    private AtomicFileWriter(Replacement replacement) {
        this.replacement = replacement;
    }

    /**
     * Opens a writer that will replace {@code target}, with the default options.
     *
     * @param target the file to replace or create; its directory must exist
     * @return the writer, holding an open temporary file
     * @throws IOException when the temporary file cannot be created, or the target is not a regular file
     * @throws org.cancelkit.CancelledException when the current token is already cancelled
     */
    public static AtomicFileWriter open(Path target) throws IOException {
        return open(target, FileOptions.defaults());
    }

    /**
     * Opens a writer that will replace {@code target}.
     *
     * @param target the file to replace or create; its directory must exist
     * @param options the settings
     * @return the writer, holding an open temporary file
     * @throws IOException when the temporary file cannot be created, or the target is not a regular file
     * @throws org.cancelkit.CancelledException when the current token is already cancelled
     */
    public static AtomicFileWriter open(Path target, FileOptions options) throws IOException {
        return open(target, options, RealFileOps.INSTANCE);
    }

    static AtomicFileWriter open(Path target, FileOptions options, FileOps fs) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        return new AtomicFileWriter(Replacement.open(fs, target, options));
    }

    /**
     * Writes bytes.
     *
     * @param bytes the bytes
     * @throws IOException when writing fails; the writer is then aborted
     */
    public void write(byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        replacement.write(ByteBuffer.wrap(bytes));
    }

    /**
     * Writes the remaining bytes of a buffer.
     *
     * @param source the bytes; its position advances to its limit
     * @throws IOException when writing fails; the writer is then aborted
     */
    public void write(ByteBuffer source) throws IOException {
        Objects.requireNonNull(source, "source");
        replacement.write(source);
    }

    /**
     * Returns a new output stream view. Closing it flushes; it does not commit.
     *
     * @return an output stream that writes to this writer
     */
    public OutputStream outputStream() {
        return Views.outputStream(replacement);
    }

    /**
     * Returns a new text view. It is strict: a character the charset cannot encode is an error, not a
     * silent {@code ?}. {@link #commit()} flushes it.
     *
     * @param charset the encoding
     * @return a writer that writes to this writer
     */
    public Writer writer(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return Views.writer(replacement, charset);
    }

    /**
     * Returns a new channel view. Closing it flushes; it does not commit.
     *
     * @return a channel that writes to this writer
     */
    public WritableByteChannel channel() {
        return Views.channel(replacement);
    }

    /**
     * Commits: flushes, syncs the temporary file, renames it over the target, syncs the directory.
     *
     * @throws IOException when a step before the rename failed: the target is unchanged, the temporary
     *     file removed
     * @throws IncompleteCommitException when the target was replaced but the directory sync failed
     * @throws java.nio.file.AtomicMoveNotSupportedException when the rename cannot be atomic
     * @throws org.cancelkit.CancelledException when cancelled before the rename (the writer aborted)
     * @throws IllegalStateException when already committed, aborted or failed
     */
    public void commit() throws IOException {
        replacement.commit();
    }

    /**
     * Abandons the new content: removes the temporary file, shielded. Idempotent; does nothing after a
     * commit.
     *
     * @throws IOException when the temporary file could not be removed (the target is unchanged, and
     *     {@link AtomicFiles#recover} will remove it)
     */
    public void abort() throws IOException {
        replacement.abort();
    }

    /**
     * Aborts unless committed; see {@link #abort()}.
     *
     * @throws IOException when the temporary file could not be removed
     */
    @Override
    public void close() throws IOException {
        replacement.abort();
    }

    /**
     * Returns true once {@link #commit()} has replaced the target.
     *
     * @return true once the target was replaced
     */
    public boolean isCommitted() {
        return replacement.isCommitted();
    }

    /**
     * Returns the number of bytes written so far.
     *
     * @return the number of bytes written so far
     */
    public long size() {
        return replacement.size();
    }

    /**
     * Returns the target, as an absolute path.
     *
     * @return the target, as an absolute path
     */
    public Path target() {
        return replacement.target();
    }

    /**
     * Returns the temporary file this writer writes to, beside the target.
     *
     * @return the temporary file
     */
    public Path tempFile() {
        return replacement.temp();
    }

    @Override
    public String toString() {
        return "AtomicFileWriter[" + replacement.target() + (isCommitted() ? ", committed]" : "]");
    }
}
