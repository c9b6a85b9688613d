package org.cancelkit.spring;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import org.cancelkit.CheckedRunnable;
import org.cancelkit.Cancellation;
import org.jspecify.annotations.Nullable;

/**
 * The response as the controller sees it: every write and flush runs in a shield (C6), bounded by
 * its own budget.
 *
 * <p>Why: the servlet container writes to the client's connection on the request's thread, through an
 * interruptible channel (Tomcat's NIO connector). A request whose token was cancelled hard keeps its
 * thread interrupted at every blocking call (C4, level-triggered), so a controller that returns a value
 * after its deadline passed would have its response write interrupted, and an interrupt closes the
 * channel: the client would get no bytes at all and the keep-alive connection would be lost. In the
 * shield the write completes (or fails on its own), and the budget still bounds a client that does
 * not read.
 *
 * <p>A write that fails is how Tomcat reports, on HTTP/1.1, that the client went away: the failure
 * is passed to {@code writeFailed} (which cancels the request's token, so that the request's other
 * work stops too) and rethrown to the writer.
 */
final class ShieldedResponse extends HttpServletResponseWrapper {
    private final Duration budget;
    /** Told of a write that failed: the client went away (Tomcat's ClientAbortException). */
    private final java.util.function.Consumer<IOException> writeFailed;
    /** Request thread(s) only, in turn. */
    private @Nullable ServletOutputStream stream;
    /** Request thread(s) only, in turn. */
    private @Nullable PrintWriter writer;

    ShieldedResponse(HttpServletResponse response, Duration budget, java.util.function.Consumer<IOException> writeFailed) {
        super(response);
        this.budget = budget;
        this.writeFailed = writeFailed;
    }

    private void shielded(CheckedRunnable<IOException> io) throws IOException {
        try {
            Cancellation.shielded(budget, io);
        } catch (IOException e) {
            writeFailed.accept(e);
            throw e;
        }
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        ServletOutputStream s = stream;
        if (s == null) {
            ServletOutputStream out = super.getOutputStream();
            s = new ServletOutputStream() {
                @Override
                public void write(int b) throws IOException {
                    shielded(() -> out.write(b));
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    shielded(() -> out.write(b, off, len));
                }

                @Override
                public void flush() throws IOException {
                    shielded(out::flush);
                }

                @Override
                public void close() throws IOException {
                    shielded(out::close);
                }

                @Override
                public boolean isReady() {
                    return out.isReady();
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    out.setWriteListener(listener);
                }
            };
            stream = s;
        }
        return s;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        PrintWriter w = writer;
        if (w == null) {
            PrintWriter out = super.getWriter();
            w = new PrintWriter(new Writer() {
                @Override
                public void write(char[] cbuf, int off, int len) throws IOException {
                    shielded(() -> out.write(cbuf, off, len));
                }

                @Override
                public void write(String str, int off, int len) throws IOException {
                    shielded(() -> out.write(str, off, len));
                }

                @Override
                public void flush() throws IOException {
                    shielded(out::flush);
                }

                @Override
                public void close() throws IOException {
                    shielded(out::close);
                }
            });
            writer = w;
        }
        return w;
    }

    @Override
    public void flushBuffer() throws IOException {
        shielded(super::flushBuffer);
    }
}
