package org.cancelkit.jobs.postgres.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.cancelkit.jobs.ItemOutput;

/**
 * One item's output, held until the item ends; it then goes into the output table in the checkpoint's
 * transaction. Confined to the item's thread.
 */
public final class ItemBuffer implements ItemOutput {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    /** Written and read by the item's thread. */
    private boolean ended;

    /** An empty buffer. */
    public ItemBuffer() {}

    @Override
    public void write(byte[] b) {
        open();
        bytes.writeBytes(b);
    }

    @Override
    public void print(CharSequence text) {
        write(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void println(CharSequence line) {
        write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public long bytesWritten() {
        return bytes.size();
    }

    /** Ends the item: later writes throw. */
    public void end() {
        ended = true;
    }

    /**
     * Returns what the item wrote.
     *
     * @return what the item wrote
     */
    public byte[] toByteArray() {
        return bytes.toByteArray();
    }

    private void open() {
        if (ended) {
            throw new IllegalStateException("this item has ended: its ItemOutput can no longer be written");
        }
    }
}
