package org.cancelkit.io.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/** The byte views of a {@link Replacement}: closing a view only flushes it; commit is explicit. */
final class Views {
    private Views() {}

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
