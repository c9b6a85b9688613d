package org.cancelkit.jobs.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.cancelkit.jobs.ItemOutput;

/**
 * A growable byte buffer: one item's output while it runs ({@link ItemOutput}, closed when the item
 * ends), and the output of completed items not yet written to the file. Confined to the job's thread.
 */
final class Bytes extends ByteArrayOutputStream implements ItemOutput {
    /** Set when the item has ended; written and read by the job's thread only. */
    private boolean closed;
    private final long index;

    Bytes(long index) {
        super(256);
        this.index = index;
    }

    @Override
    public void write(byte[] bytes) {
        open();
        write(bytes, 0, bytes.length);
    }

    @Override
    public void print(CharSequence text) {
        write(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void println(CharSequence line) {
        print(line);
        write('\n');
    }

    @Override
    public long bytesWritten() {
        return count;
    }

    /** Ends the item: later writes fail. */
    void end() {
        closed = true;
    }

    /** Appends another buffer's content. */
    void append(Bytes other) {
        write(other.buf, 0, other.count);
    }

    /** A read-only view of the content. */
    ByteBuffer view() {
        return ByteBuffer.wrap(buf, 0, count).asReadOnlyBuffer();
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("the output of item " + index + " is closed: an item writes its output "
                    + "only while ItemProcessor.process runs for it");
        }
    }
}
