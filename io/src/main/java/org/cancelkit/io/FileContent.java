package org.cancelkit.io;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes the content of a file: the callback form of {@link AtomicFiles#write(java.nio.file.Path,
 * FileContent)} and {@link FileTransaction#write(String, FileContent)}.
 *
 * {@snippet :
 * AtomicFiles.write(path, out -> mapper.writeValue(out, config));
 * }
 *
 * <p>The stream is the writer's: do not close it early (closing it only flushes), and do not keep it
 * after the callback returns. A callback that throws aborts the write; the target is left as it was.
 */
@FunctionalInterface
public interface FileContent {
    /**
     * Writes the whole content to {@code out}.
     *
     * @param out where the content goes
     * @throws IOException when writing fails
     */
    void writeTo(OutputStream out) throws IOException;
}
