package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * C4: cancellation reaches running code at its cancellation points, which include every interruptible
 * blocking call of a thread bound to the token; and no library interrupt leaks out of the region.
 *
 * <p>Each blocking call is tried twice per thread kind: bound with {@code token.call} and cancelled
 * from the test thread (the body must end with {@link CancelledException}), and bound with a
 * {@link Timeout} on a {@link VirtualClock} whose deadline the test thread advances to (the body must
 * end with {@link DeadlineExceededException}). In both, the test first waits until the body's thread
 * is parked in the blocking call itself, and the thread's interrupt flag must be clear afterwards.
 */
@org.junit.jupiter.api.Timeout(60)
class C4CancellationReachesBlockedCodeTest {

    /** One kind of blocking call: set up per test, blocked in by the body, recognised by a frame. */
    interface Blocker extends AutoCloseable {
        void block() throws Exception;

        String frameClass();

        String frameMethod();

        @Override
        default void close() throws IOException {}
    }

    record Kind(String name, Supplier<Blocker> make, boolean virtualOnly) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Kind> KINDS = List.of(
            // a sleep that exists only to be interrupted
            new Kind("Thread.sleep", () -> blocker(() -> Thread.sleep(60_000), "java.lang.Thread", "sleep"), false),
            new Kind("BlockingQueue.take", () -> {
                LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
                return blocker(q::take, "LinkedBlockingQueue", "take");
            }, false),
            new Kind("Object.wait", () -> {
                Object monitor = new Object();
                return blocker(() -> {
                    synchronized (monitor) {
                        while (true) {
                            monitor.wait();
                        }
                    }
                }, "java.lang.Object", "wait");
            }, false),
            new Kind("LockSupport.park loop", () -> blocker(() -> {
                while (!Cancellation.isCancelled()) {
                    LockSupport.park();
                }
                Cancellation.check();
            }, "LockSupport", "park"), false),
            new Kind("Lock.lockInterruptibly", LockBlocker::new, false),
            new Kind("Cancellation.sleep", () -> blocker(() -> Cancellation.sleep(Duration.ofMinutes(10)),
                    "org.cancelkit.Waits", "await"), false),
            new Kind("socket read", SocketBlocker::new, true));

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ThreadKind t : ThreadKind.all().toList()) {
            for (Kind k : KINDS) {
                if (!k.virtualOnly || t == ThreadKind.VIRTUAL) {
                    out.add(Arguments.of(t, k));
                }
            }
        }
        return out.stream();
    }

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    static Blocker blocker(Body body, String frameClass, String frameMethod) {
        return new Blocker() {
            @Override
            public void block() throws Exception {
                body.run();
            }

            @Override
            public String frameClass() {
                return frameClass;
            }

            @Override
            public String frameMethod() {
                return frameMethod;
            }
        };
    }

    /** The test thread holds the lock, so the body blocks in lockInterruptibly. */
    static final class LockBlocker implements Blocker {
        final ReentrantLock lock = new ReentrantLock();

        LockBlocker() {
            lock.lock();
        }

        @Override
        public void block() throws InterruptedException {
            lock.lockInterruptibly();
            lock.unlock();
        }

        @Override
        public String frameClass() {
            return "ReentrantLock";
        }

        @Override
        public String frameMethod() {
            return "lockInterruptibly";
        }

        @Override
        public void close() {
            lock.unlock();
        }
    }

    /** A loopback connection whose server side never writes: the read blocks until something stops it. */
    static final class SocketBlocker implements Blocker {
        final ServerSocket server;
        final Socket client;
        final Socket accepted;

        SocketBlocker() {
            try {
                server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                accepted = server.accept();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void block() throws IOException {
            InputStream in = client.getInputStream();
            int b = in.read();
            throw new AssertionError("the server never writes, yet read returned " + b);
        }

        @Override
        public String frameClass() {
            return "NioSocketImpl";
        }

        @Override
        public String frameMethod() {
            return "park";
        }

        @Override
        public void close() throws IOException {
            try (server; client; accepted) {
                // closes all three
            }
        }
    }

    @ParameterizedTest(name = "C4 token.call, {1}, {0} thread")
    @MethodSource("cases")
    @DisplayName("C4: a cancel from another thread reaches a body blocked in a blocking call; no interrupt leaks")
    void c4_cancelReachesBlockedBody(ThreadKind threads, Kind kind) throws Exception {
        try (Blocker blocker = kind.make.get()) {
            CancellationSource token = CancellationSource.create();
            Forked<Void> body = threads.forkRun(() -> token.run(blocker::block));
            body.awaitBlockedIn(blocker.frameClass(), blocker.frameMethod());

            assertThat(token.cancel("stop")).isTrue();

            Throwable thrown = body.joinFailure();
            assertThat(thrown).isInstanceOf(CancelledException.class);
            assertThat(((CancelledException) thrown).reason().message()).isEqualTo("stop");
        }
    }

    @ParameterizedTest(name = "C4 Timeout, {1}, {0} thread")
    @MethodSource("cases")
    @DisplayName("C4: a timeout's own deadline reaches a body blocked in a blocking call; no interrupt leaks")
    void c4_deadlineReachesBlockedBody(ThreadKind threads, Kind kind) throws Exception {
        VirtualClock clock = VirtualClock.create();
        try (Blocker blocker = kind.make.get()) {
            Forked<Void> body = threads.forkRun(() -> clock.run(() -> Timeout.run(Duration.ofSeconds(1), blocker::block)));
            body.awaitBlockedIn(blocker.frameClass(), blocker.frameMethod());

            clock.advance(Duration.ofSeconds(1));

            assertThat(body.joinFailure()).isInstanceOf(DeadlineExceededException.class);
        }
    }

    @ParameterizedTest(name = "C4 outer cancel through a Timeout, {1}, {0} thread")
    @MethodSource("cases")
    @DisplayName("C4: an outer cancel passing through a Timeout stays a CancelledException")
    void c4_outerCancelThroughTimeoutIsCancelled(ThreadKind threads, Kind kind) throws Exception {
        try (Blocker blocker = kind.make.get()) {
            CancellationSource outer = CancellationSource.create();
            Forked<Void> body = threads.forkRun(
                    () -> outer.run(() -> Timeout.run(Duration.ofHours(1), blocker::block)));
            body.awaitBlockedIn(blocker.frameClass(), blocker.frameMethod());

            outer.cancel("outer");

            Throwable thrown = body.joinFailure();
            assertThat(thrown).isInstanceOf(CancelledException.class);
            assertThat(((CancelledException) thrown).reason().message()).isEqualTo("outer");
        }
    }

    /**
     * The pitfall the package documentation names: on a platform thread a classic socket read ignores
     * interrupts, so it is not a cancellation point; a cancel action that closes the socket (C9) is
     * the remedy.
     */
    @org.junit.jupiter.api.Test
    @DisplayName("C4/C9: a socket read on a platform thread is stopped by a cancel action that closes the socket")
    void c4_platformSocketReadNeedsCancelAction() throws Exception {
        try (SocketBlocker blocker = new SocketBlocker()) {
            CancellationSource token = CancellationSource.create();
            Forked<Void> body = ThreadKind.PLATFORM.forkRun(() -> token.run(() -> Cancellation.withCancelAction(
                    CancelAction.of(() -> {
                        try {
                            blocker.client.close();
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    }),
                    () -> {
                        blocker.block();
                        return null;
                    })));
            // RUNNABLE in native code, so it never shows as parked: wait for the native frame itself.
            Forked.awaitInFrame(body.thread, "SocketDispatcher", "read0");

            token.cancel();

            Throwable thrown = body.joinFailure();
            assertThat(thrown).isInstanceOf(CancelledException.class).hasCauseInstanceOf(SocketException.class);
        }
    }
}
