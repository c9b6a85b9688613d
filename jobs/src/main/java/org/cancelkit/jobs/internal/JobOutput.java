package org.cancelkit.jobs.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A job's output file during one run ({@link JobRunner}'s rules 1, 2 and 4): cut back to what the
 * checkpoint counts when the run begins, completed items' output buffered and then written with
 * positional writes at {@link #appended()} (so a write cut by an interrupt, which closes the channel, is
 * written again at the same place after {@link #reopenIfClosed()}), and synced before a checkpoint may
 * count it.
 *
 * <p>A sync that failed with an I/O error makes every later {@link #sync()} of the run fail: the kernel
 * may have dropped the unsynced pages, and a second sync would then succeed without them, so no later
 * checkpoint may count that output (the previous checkpoint stands; rule 1 cuts what lies beyond it).
 *
 * <p>Confined to the thread that runs the job.
 */
final class JobOutput {
    /** Completed items' output is written to the file (without sync) once this much is buffered. */
    private static final int FLUSH_BYTES = 64 * 1024;

    private final String id;
    private final Path file;
    private @Nullable FileChannel channel;
    private Bytes pending = new Bytes(-1);
    private long appended;
    private boolean syncFailed;

    JobOutput(String id, Path file) {
        this.id = id;
        this.file = file;
    }

    /**
     * Rule 1: opens the file and cuts off the output of items the checkpoint does not count.
     *
     * @param checkpointed the output length the checkpoint counts
     * @return how many bytes were cut off
     */
    long openAt(long checkpointed) throws IOException {
        appended = checkpointed;
        open();
        FileChannel ch = Objects.requireNonNull(channel);
        long discarded = Math.max(0, ch.size() - appended);
        if (discarded > 0) {
            ch.truncate(appended);
            ch.force(true);
        }
        return discarded;
    }

    /** The length of the output written so far, buffered output not included. */
    long appended() {
        return appended;
    }

    /** Whether the run opened the file (and has not closed it at its end). */
    boolean opened() {
        return channel != null;
    }

    /** Whether a sync of this run failed: no checkpoint may count the output any more. */
    boolean syncFailed() {
        return syncFailed;
    }

    /** Rule 3: buffers a completed item's output; call {@link #flushIfFull()} once the item counts as done. */
    void add(Bytes itemOutput) {
        pending.append(itemOutput);
    }

    /** Writes the buffered output once there is enough of it. */
    void flushIfFull() throws IOException {
        if (pending.size() >= FLUSH_BYTES) {
            flush();
        }
    }

    /** Rule 4: completed items' output, at its place. */
    void flush() throws IOException {
        FileChannel ch = Objects.requireNonNull(channel);
        ByteBuffer buf = pending.view();
        long pos = appended;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
        appended = pos;
        pending = new Bytes(-1);
    }

    /** Rule 2's first half: everything buffered written, then synced. */
    void sync() throws IOException {
        if (syncFailed) {
            throw new IOException("job '" + id + "': an earlier sync of " + file + " failed, so its unsynced "
                    + "output may be lost; no checkpoint counts it (run the job again: it resumes from the last "
                    + "checkpoint)");
        }
        flush();
        FileChannel ch = Objects.requireNonNull(channel);
        try {
            OutputSync.current.force(ch);
        } catch (ClosedChannelException closed) {
            throw closed; // closed by an interrupt (or closed): nothing was reported synced; rewriting is safe
        } catch (IOException e) {
            syncFailed = true;
            throw e;
        }
    }

    /** Reopens a channel that an interrupt closed; rule 4 makes rewriting safe. */
    void reopenIfClosed() throws IOException {
        FileChannel ch = channel;
        if (ch != null && !ch.isOpen()) {
            open();
        }
    }

    void close() throws IOException {
        FileChannel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
    }

    private void open() throws IOException {
        close();
        channel = JobFiles.openOutput(file);
    }
}
