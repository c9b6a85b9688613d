package org.cancelkit.io.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.Charset;
import java.util.Objects;

/** The views of a {@link Replacement}: closing a view only flushes it; commit is explicit. */
public final class Views {
    private Views() {}

    /**
     * Returns an output stream over {@code r}; closing it only flushes.
     *
     * @param r the replacement
     * @return an output stream over it
     */
    public static OutputStream outputStream(Replacement r) {
        return new Stream(r);
    }

    /**
     * Returns a strict text writer over {@code r} (unmappable characters are errors); commit flushes it.
     *
     * @param r the replacement
     * @param charset the encoding
     * @return a text writer over it
     */
    public static Writer writer(Replacement r, Charset charset) {
        Writer w = new OutputStreamWriter(new Stream(r), charset.newEncoder());
        r.register(w);
        return w;
    }

    /**
     * Returns a channel over {@code r}; closing it only flushes.
     *
     * @param r the replacement
     * @return a channel over it
     */
    public static WritableByteChannel channel(Replacement r) {
        return new Channel(r);
    }

    /** An output stream. */
    static final class Stream extends OutputStream {
        private final Replacement r;
        private final byte[] one = new byte[1];

        Stream(Replacement r) {
            this.r = r;
        }

        @Override
        public void write(int b) throws IOException {
            one[0] = (byte) b;
            r.write(ByteBuffer.wrap(one));
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            r.write(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void flush() throws IOException {
            if (r.isOpen()) {
                r.flush();
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /** A channel. */
    static final class Channel implements WritableByteChannel {
        private final Replacement r;

        Channel(Replacement r) {
            this.r = r;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            r.write(src);
            return n;
        }

        @Override
        public boolean isOpen() {
            return r.isOpen();
        }

        @Override
        public void close() throws IOException {
            if (r.isOpen()) {
                r.flush();
            }
        }
    }
}
