package org.cancelkit.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;

/**
 * Makes the JDK open, once, what it opens lazily and keeps for the life of the JVM, so that the
 * first region a leak check watches is not blamed for it: the virtual-thread I/O pollers (threads
 * and epoll descriptors), the socket pair used to close sockets, the random device of temp-file
 * names, and the thread dump machinery itself.
 *
 * <p>Best effort: a step that fails is skipped. Thread-safe; runs once per JVM.
 */
public final class Warmup {
    private Warmup() {}

    private static final class Once {
        static {
            run();
        }

        static void touch() {}
    }

    /** Runs the warm-up unless it has run already. */
    public static void ensure() {
        Once.touch();
    }

    private static void run() {
        try {
            Files.delete(Files.createTempFile("cancelkit-warmup", ".tmp"));
        } catch (IOException | RuntimeException e) {
            // skip this step
        }
        try {
            SocketChannel.open().close();
        } catch (IOException | RuntimeException e) {
            // skip this step
        }
        try {
            pollers();
        } catch (IOException | RuntimeException e) {
            // skip this step
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // not ours to swallow: restore the flag
        }
        try {
            ThreadCensus.take();
        } catch (RuntimeException e) {
            // skip this step
        }
    }

    /** A virtual thread blocks in a socket read for 1 ms: the JDK starts its pollers. */
    private static void pollers() throws IOException, InterruptedException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 1, loopback);
             Socket client = new Socket(loopback, server.getLocalPort());
             Socket accepted = server.accept()) {
            Thread reader = Thread.ofVirtual().name("cancelkit-warmup").start(() -> {
                try (InputStream in = accepted.getInputStream()) {
                    accepted.setSoTimeout(1);
                    int ignored = in.read(); // nothing is written: parks in the poller, then times out
                } catch (SocketTimeoutException expected) {
                    // the point of the exercise
                } catch (IOException e) {
                    // best effort
                }
            });
            reader.join();
            client.shutdownOutput();
        }
    }
}
