package org.cancelkit.jobs;

/**
 * Where one item's output goes. It reaches the job's output file only when the item's
 * {@link ItemProcessor#process} returns normally, so an item that fails or is cancelled leaves no
 * output at all; on resume it is processed again and writes its output once.
 *
 * <p>Valid only during the call to {@link ItemProcessor#process} it was passed to: writing to it later
 * throws {@link IllegalStateException}. Not thread-safe: write from the processing thread only.
 */
public interface ItemOutput {

    /**
     * Appends bytes.
     *
     * @param bytes the bytes
     * @throws IllegalStateException when the item has already ended
     */
    void write(byte[] bytes);

    /**
     * Appends text in UTF-8.
     *
     * @param text the text
     * @throws IllegalStateException when the item has already ended
     */
    void print(CharSequence text);

    /**
     * Appends text in UTF-8 and a line feed ({@code \n}).
     *
     * @param line the text
     * @throws IllegalStateException when the item has already ended
     */
    void println(CharSequence line);

    /**
     * Returns the number of bytes this item has written so far.
     *
     * @return the number of bytes this item has written so far
     */
    long bytesWritten();
}
