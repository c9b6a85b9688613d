package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Propagation (TESTING.md, "Tokens and scopes"): 1,000 virtual threads blocked in different calls under
 * one root: {@link Thread#sleep}, {@link LinkedBlockingQueue#take}, {@link Object#wait},
 * {@link ReentrantLock#lockInterruptibly}, {@link Cancellation#sleep} and a loopback socket read, each
 * bound to its own child of the root. The root is cancelled; every thread must end within 100 ms, p99
 * over 50 repetitions.
 *
 * <p>A stress test: it measures real time (the one place in these tests that does), with the slack
 * TESTING.md asks for, and prints the figures. Tagged {@code stress}: run with {@code -Pstress}.
 */
@Tag("stress")
@org.junit.jupiter.api.Timeout(600)
class PropagationStressTest {
    static final int THREADS = 1_000;
    static final int REPETITIONS = 50;

    enum Call { THREAD_SLEEP, QUEUE_TAKE, OBJECT_WAIT, LOCK_INTERRUPTIBLY, CANCELLATION_SLEEP, SOCKET_READ }

    /** One repetition's figures. */
    record Rep(long cancelReturnedNanos, long allEndedNanos, long[] perThreadNanos, Map<String, Integer> endings) {}

    @Test
    @DisplayName("C2/C4 propagation: 1,000 virtual threads blocked in 6 kinds of call end within 100 ms p99 of the root's cancel")
    void thousandBlockedThreadsEndQuickly() throws Exception {
        List<Rep> reps = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, THREADS, InetAddress.getLoopbackAddress())) {
            for (int r = 0; r < REPETITIONS + 3; r++) {
                Rep rep = repetition(server);
                if (r >= 3) {
                    reps.add(rep); // the first three warm the JIT up
                }
            }
        }
        long[] allEnded = reps.stream().mapToLong(Rep::allEndedNanos).sorted().toArray();
        long[] cancelReturned = reps.stream().mapToLong(Rep::cancelReturnedNanos).sorted().toArray();
        long[] perThread = reps.stream().flatMapToLong(x -> Arrays.stream(x.perThreadNanos())).sorted().toArray();
        Map<String, Integer> endings = new TreeMap<>();
        reps.forEach(x -> x.endings().forEach((k, v) -> endings.merge(k, v, Integer::sum)));
        System.out.printf("propagation, %d threads x %d repetitions (%d CPUs):%n", THREADS, REPETITIONS,
                Runtime.getRuntime().availableProcessors());
        System.out.printf("  root.cancel() returned after:  p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                ms(pct(cancelReturned, 50)), ms(pct(cancelReturned, 99)), ms(cancelReturned[cancelReturned.length - 1]));
        System.out.printf("  all 1,000 ended after:         p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                ms(pct(allEnded, 50)), ms(pct(allEnded, 99)), ms(allEnded[allEnded.length - 1]));
        System.out.printf("  one thread ended after:        p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
                ms(pct(perThread, 50)), ms(pct(perThread, 99)), ms(pct(perThread, 99.9)),
                ms(perThread[perThread.length - 1]));
        System.out.println("  how they ended: " + endings);
        assertThat(ms(pct(allEnded, 99))).as("p99 over %d repetitions of the time until all %d threads ended, ms",
                REPETITIONS, THREADS).isLessThanOrEqualTo(100.0);
        assertThat(endings.keySet()).as("every thread ended by the cancel").allMatch(k -> k.contains(": cancelled ("));
    }

    private static Rep repetition(ServerSocket server) throws Exception {
        CancellationSource root = CancellationSource.create();
        ReentrantLock held = new ReentrantLock();
        held.lock();
        AtomicInteger blocked = new AtomicInteger();
        long[] endedAt = new long[THREADS];
        Map<String, Integer> endings = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        Queue<Socket> sockets = new ConcurrentLinkedQueue<>();
        int socketThreads = 0;
        for (int i = 0; i < THREADS; i++) {
            Call call = Call.values()[i % Call.values().length];
            if (call == Call.SOCKET_READ) {
                socketThreads++;
            }
            int index = i;
            CancellationSource child = root.child();
            threads.add(Thread.ofVirtual().name("blocked-" + call + "-" + i).start(() -> {
                String ending;
                try {
                    child.run(() -> block(call, held, blocked, sockets, server));
                    ending = "returned";
                } catch (CancelledException e) {
                    ending = "cancelled (" + (e.getCause() == null ? "CancelledException" : e.getCause().getClass().getSimpleName()) + ")";
                } catch (Throwable t) {
                    ending = "other " + t;
                } finally {
                    endedAt[index] = System.nanoTime();
                }
                endings.merge(call + ": " + ending, 1, Integer::sum);
            }));
        }
        // the server side of the loopback sockets: accepted and held open, never written to
        List<Socket> accepted = new ArrayList<>();
        for (int i = 0; i < socketThreads; i++) {
            accepted.add(server.accept());
        }
        awaitAllBlocked(threads, blocked);
        long t0 = System.nanoTime();
        root.cancel("propagation test");
        long cancelReturned = System.nanoTime() - t0;
        for (Thread t : threads) {
            t.join();
        }
        held.unlock();
        for (Socket s : accepted) {
            s.close();
        }
        for (Socket s : sockets) {
            s.close();
        }
        long[] perThread = Arrays.stream(endedAt).map(e -> e - t0).toArray();
        long allEnded = Arrays.stream(perThread).max().orElseThrow();
        return new Rep(cancelReturned, allEnded, perThread, endings);
    }

    private static void block(Call call, ReentrantLock held, AtomicInteger blocked, Queue<Socket> sockets,
                              ServerSocket server) throws Exception {
        switch (call) {
            case THREAD_SLEEP -> {
                blocked.incrementAndGet();
                Thread.sleep(Duration.ofHours(1));
            }
            case QUEUE_TAKE -> {
                LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
                blocked.incrementAndGet();
                q.take();
            }
            case OBJECT_WAIT -> {
                Object monitor = new Object();
                synchronized (monitor) {
                    blocked.incrementAndGet();
                    while (true) {
                        monitor.wait();
                    }
                }
            }
            case LOCK_INTERRUPTIBLY -> {
                blocked.incrementAndGet();
                held.lockInterruptibly();
                held.unlock();
            }
            case CANCELLATION_SLEEP -> {
                blocked.incrementAndGet();
                Cancellation.sleep(Duration.ofHours(1));
            }
            case SOCKET_READ -> {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                sockets.add(s);
                InputStream in = s.getInputStream();
                blocked.incrementAndGet();
                if (in.read() < 0) {
                    throw new IOException("the server closed the socket");
                }
            }
        }
    }

    /** Ordered step: every thread has reached its call and is parked in it. */
    private static void awaitAllBlocked(List<Thread> threads, AtomicInteger blocked) {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            if (blocked.get() == THREADS && threads.stream().allMatch(t -> {
                Thread.State s = t.getState();
                return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
            })) {
                return;
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("only " + blocked.get() + " of " + THREADS + " threads blocked");
            }
            Thread.yield();
        }
    }

    static long pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
