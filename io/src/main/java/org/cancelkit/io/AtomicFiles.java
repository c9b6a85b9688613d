package org.cancelkit.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import org.cancelkit.Cancellation;
import org.cancelkit.Timeout;
import org.cancelkit.io.internal.DirLock;
import org.cancelkit.io.internal.FileOps;
import org.cancelkit.io.internal.Recovery;
import org.cancelkit.io.internal.RealFileOps;
import org.cancelkit.io.internal.Targets;

/**
 * One-call atomic writes, and recovery of what a crash left behind.
 *
 * {@snippet :
 * AtomicFiles.writeString(Path.of("config.json"), json);                       // whole or not at all
 * AtomicFiles.write(path, out -> mapper.writeValue(out, config), Duration.ofSeconds(5));
 * RecoveryReport r = AtomicFiles.recover(Path.of("/var/lib/myapp"));           // at start-up
 * }
 *
 * <p>Each write is an {@link AtomicFileWriter} opened, written, committed and closed: when the call
 * returns normally the new content is durable (F2); when it throws, the target is unchanged and no
 * temporary file is left (F1, F3), except for an {@link IncompleteCommitException} (replaced, directory
 * sync failed). The timeout forms (write a config, give up after a while) run the write
 * in {@link Timeout#run}, and fail with {@link org.cancelkit.DeadlineExceededException} when the
 * timeout stops the write before its rename; past the rename, the write completes and returns.
 *
 * <p>All methods are thread-safe and act on the calling thread. Arguments must not be null.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * Replaces {@code target} with {@code content}, atomically and durably.
     *
     * @param target the file
     * @param content the new content
     * @throws IOException when the write fails (the target is unchanged)
     */
    public static void write(Path target, byte[] content) throws IOException {
        Objects.requireNonNull(content, "content");
        write(target, out -> out.write(content), FileOptions.defaults());
    }

    /**
     * Replaces {@code target} with {@code content}, within {@code timeout}.
     *
     * @param target the file
     * @param content the new content
     * @param timeout how long the write may take before it is abandoned
     * @throws IOException when the write fails (the target is unchanged)
     * @throws org.cancelkit.DeadlineExceededException when the timeout stopped it before the rename
     */
    public static void write(Path target, byte[] content, Duration timeout) throws IOException {
        Objects.requireNonNull(content, "content");
        write(target, out -> out.write(content), timeout);
    }

    /**
     * Replaces {@code target} with {@code text} in UTF-8 (strictly: a lone surrogate is an error).
     *
     * @param target the file
     * @param text the new content
     * @throws IOException when the write fails (the target is unchanged)
     */
    public static void writeString(Path target, CharSequence text) throws IOException {
        Objects.requireNonNull(text, "text");
        write(target, utf8(text));
    }

    /**
     * Replaces {@code target} with {@code text} in UTF-8, within {@code timeout}.
     *
     * @param target the file
     * @param text the new content
     * @param timeout how long the write may take before it is abandoned
     * @throws IOException when the write fails (the target is unchanged)
     * @throws org.cancelkit.DeadlineExceededException when the timeout stopped it before the rename
     */
    public static void writeString(Path target, CharSequence text, Duration timeout) throws IOException {
        Objects.requireNonNull(text, "text");
        write(target, utf8(text), timeout);
    }

    /**
     * Replaces {@code target} with what {@code content} writes.
     *
     * @param target the file
     * @param content writes the new content
     * @throws IOException when the write or the callback fails (the target is unchanged)
     */
    public static void write(Path target, FileContent content) throws IOException {
        write(target, content, FileOptions.defaults());
    }

    /**
     * Replaces {@code target} with what {@code content} writes, within {@code timeout}.
     *
     * @param target the file
     * @param content writes the new content
     * @param timeout how long the write may take before it is abandoned
     * @throws IOException when the write or the callback fails (the target is unchanged)
     * @throws org.cancelkit.DeadlineExceededException when the timeout stopped it before the rename
     */
    public static void write(Path target, FileContent content, Duration timeout) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(timeout, "timeout");
        Timeout.run(timeout, () -> write(target, content, FileOptions.defaults()));
    }

    /**
     * Replaces {@code target} with what {@code content} writes, with options.
     *
     * @param target the file
     * @param content writes the new content
     * @param options the settings
     * @throws IOException when the write or the callback fails (the target is unchanged)
     */
    public static void write(Path target, FileContent content, FileOptions options) throws IOException {
        write(target, content, options, RealFileOps.INSTANCE);
    }

    static void write(Path target, FileContent content, FileOptions options, FileOps fs) throws IOException {
        Objects.requireNonNull(content, "content");
        try (AtomicFileWriter w = AtomicFileWriter.open(target, options, fs)) {
            content.writeTo(w.outputStream());
            w.commit();
        }
    }

    /**
     * Recovers a directory after a crash, with the default options: finishes committed transactions,
     * undoes uncommitted ones, removes the temporary files of writers and transactions that died. Safe
     * to run at any time and any number of times: it takes the directory's lock, leaves the files of
     * live writers alone, and a second run in a row changes nothing.
     *
     * <p>Safe to run on a directory that less-privileged users can write (F5): it never touches a file
     * outside the directory nor follows a link, and a transaction record that is not what a transaction
     * could have written there is left alone and listed in {@link RecoveryReport#refused()}: check it.
     *
     * @param directory the directory
     * @return what was done
     * @throws IOException when the lock stays held, or a step fails (run it again)
     */
    public static RecoveryReport recover(Path directory) throws IOException {
        return recover(directory, FileOptions.defaults());
    }

    /**
     * Recovers a directory; see {@link #recover(Path)}.
     *
     * @param directory the directory
     * @param options the settings (lock timeout, step listener)
     * @return what was done
     * @throws IOException when the lock stays held, or a step fails (run it again)
     */
    public static RecoveryReport recover(Path directory, FileOptions options) throws IOException {
        return recover(directory, options, RealFileOps.INSTANCE);
    }

    static RecoveryReport recover(Path directory, FileOptions options, FileOps fs) throws IOException {
        Path dir = checkDirectory(fs, directory);
        Objects.requireNonNull(options, "options");
        DirLock lock = DirLock.acquire(fs, dir, options);
        Throwable primary = null;
        try {
            return Recovery.recover(fs, dir, options, lock.staleOwner());
        } catch (Throwable t) {
            primary = t;
            throw t;
        } finally {
            try {
                lock.release(options);
            } catch (IOException | RuntimeException e) {
                if (primary == null) {
                    throw e;
                }
                primary.addSuppressed(e);
            }
        }
    }

    static Path checkDirectory(FileOps fs, Path directory) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Path dir = directory.toAbsolutePath().normalize();
        Targets.requireDirectory(fs, dir, "");
        return dir;
    }

    static byte[] utf8(CharSequence text) throws IOException {
        ByteBuffer b = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(text));
        return Arrays.copyOfRange(b.array(), b.arrayOffset() + b.position(), b.arrayOffset() + b.limit());
    }

    static void deleteShielded(FileOps fs, Path file, FileOptions options) throws IOException {
        Cancellation.shielded(options.cleanupBudget(), () -> {
            fs.deleteIfExists(file);
        });
    }
}
