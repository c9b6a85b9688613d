package org.cancelkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.cancelkit.Cancellation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * C4, level-triggered, through the explorer: an operation is cancelled at each of its cancellation
 * points in turn; its {@code finally} first swallows an interrupt (the common mistake, or a
 * {@code catch} that logs), then blocks in one of six JDK calls. Every one of those blocking calls is
 * interrupted, because the region is still bound to a cancelled token. The negative control: the
 * same blocking call inside {@code Cancellation.shielded} is not interrupted (it times out instead).
 *
 * <p>The explorer runs on a virtual thread, where a classic socket read is interruptible.
 */
class LevelTriggeredExplorerTest {
    /** How long a blocking call waits at most: long enough that only an interrupt ends it early. */
    private static final long BLOCK_MS = 20_000;
    /** How long the shielded control blocks: it must time out, never be interrupted. */
    private static final long SHIELDED_MS = 30;

    private static ServerSocket server;
    private static final ReentrantLock HELD = new ReentrantLock();
    private static final CountDownLatch RELEASE = new CountDownLatch(1);
    private static Thread holder;

    @BeforeAll
    static void start() throws Exception {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        CountDownLatch held = new CountDownLatch(1);
        holder = Thread.ofPlatform().daemon().start(() -> {
            HELD.lock();
            held.countDown();
            try {
                RELEASE.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the test ends: let go of the lock and end
            } finally {
                HELD.unlock();
            }
        });
        held.await();
    }

    @AfterAll
    static void stop() throws Exception {
        RELEASE.countDown();
        holder.join();
        server.close();
    }

    enum Block {
        SLEEP {
            @Override
            String block(long ms) throws Exception {
                Thread.sleep(ms);
                return "timed out";
            }
        },
        QUEUE_POLL {
            @Override
            String block(long ms) throws Exception {
                return new ArrayBlockingQueue<String>(1).poll(ms, TimeUnit.MILLISECONDS) == null ? "timed out" : "got one";
            }
        },
        OBJECT_WAIT {
            @Override
            String block(long ms) throws Exception {
                Object monitor = new Object();
                synchronized (monitor) {
                    monitor.wait(ms);
                }
                return "timed out";
            }
        },
        PARK {
            @Override
            String block(long ms) throws Exception {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
                while (System.nanoTime() - end < 0) {
                    LockSupport.parkNanos(end - System.nanoTime());
                    if (Thread.interrupted()) {
                        throw new InterruptedException("park returned on an interrupt");
                    }
                }
                return "timed out";
            }
        },
        LOCK_INTERRUPTIBLY {
            @Override
            String block(long ms) throws Exception {
                if (HELD.tryLock(ms, TimeUnit.MILLISECONDS)) {
                    HELD.unlock();
                    return "got the lock";
                }
                return "timed out";
            }
        },
        SOCKET_READ {
            @Override
            String block(long ms) throws Exception {
                try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort())) {
                    s.setSoTimeout((int) ms);
                    InputStream in = s.getInputStream();
                    try {
                        return in.read() < 0 ? "end of stream" : "read a byte";
                    } catch (SocketTimeoutException e) {
                        return "timed out";
                    }
                }
            }
        };

        abstract String block(long ms) throws Exception;

        /** Runs the blocking call; says whether an interrupt (or the closed-by-interrupt socket) ended it. */
        String outcome(long ms) {
            try {
                return block(ms);
            } catch (InterruptedException e) {
                return "interrupted";
            } catch (Exception e) {
                return Thread.currentThread().isInterrupted() || e.getMessage() != null
                        && e.getMessage().contains("interrupt") ? "interrupted" : "failed: " + e;
            }
        }
    }

    /** Cancellation points, then cleanup that swallows an interrupt and blocks (shielded or not). */
    private static void operation(Block kind, boolean shielded, AtomicReference<String> outcome) throws Exception {
        outcome.set("nothing to clean");
        try {
            for (int i = 0; i < 3; i++) {
                Cancellation.check();
            }
        } finally {
            if (!Cancellation.isCancelled()) {
                return; // the cleanup under test is the one a cancel runs (run 0 has nothing to clean)
            }
            try {
                Thread.sleep(1); // a catch-all in cleanup consumes the first interrupt ...
            } catch (InterruptedException swallowed) {
                // ... as careless cleanup does; the level-triggered delivery must not depend on it
            }
            if (shielded) {
                outcome.set(Cancellation.shielded(Duration.ofSeconds(60), () -> kind.outcome(SHIELDED_MS)));
            } else {
                outcome.set(kind.outcome(BLOCK_MS));
            }
        }
    }

    private static ExplorationReport explore(Block kind, boolean shielded, String expected) throws Exception {
        AtomicReference<String> outcome = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger asExpected = new java.util.concurrent.atomic.AtomicInteger();
        AtomicReference<ExplorationReport> report = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                report.set(CancellationExplorer.explore(() -> operation(kind, shielded, outcome))
                        .onSystemClock()
                        .check("the blocking call in cleanup ended as expected: " + expected, () -> {
                            if (outcome.get().equals(expected)) {
                                asExpected.incrementAndGet();
                            } else if (!outcome.get().equals("nothing to clean")) {
                                throw new AssertionError("it " + outcome.get());
                            }
                        })
                        .run());
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        t.join();
        if (failed.get() != null) {
            throw new AssertionError(failed.get());
        }
        assertThat(asExpected.get()).as("cancelled runs whose cleanup blocked and ended: " + expected).isEqualTo(3);
        return report.get();
    }

    @ParameterizedTest(name = "C4 level-triggered: cancelled at each point, cleanup blocked in {0} is interrupted")
    @EnumSource(Block.class)
    void unshieldedCleanupIsInterrupted(Block kind) throws Exception {
        ExplorationReport report = explore(kind, false, "interrupted");
        assertThat(report.points()).isEqualTo(3);
        assertThat(report.explored()).isEqualTo(3);
        assertThat(report.violations()).isEmpty();
    }

    @ParameterizedTest(name = "C4/C6 negative control: cleanup blocked in {0} inside a shield is not interrupted")
    @EnumSource(Block.class)
    void shieldedCleanupIsNotInterrupted(Block kind) throws Exception {
        ExplorationReport report = explore(kind, true, "timed out");
        assertThat(report.points()).isEqualTo(3);
        assertThat(report.violations()).isEmpty();
    }
}
