package org.cancelkit.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cancelkit.Cancellation;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;

/**
 * The herd, a program in its own JVM: {@code n} virtual threads each in {@code Timeout.call(100 ms,
 * body)}, all armed together, so that every deadline fires in the same few milliseconds. The body blocks
 * in {@code Thread.sleep(60 s)}, {@code BlockingQueue.take()} on an empty queue, or
 * {@code Cancellation.sleep(60 s)}; lateness = the moment {@code Timeout.call} has thrown
 * {@link DeadlineExceededException} in that thread minus the timeout's deadline (read inside the body,
 * no later than the real one). Reference, in the same JVM and round: {@code n} virtual threads in
 * {@code Thread.sleep(100 ms)}; lateness = wake-up minus (time read just before the sleep + 100 ms).
 *
 * <p>One discarded warm-up round, then the measured rounds; within a round the four contenders run in
 * an order that rotates between rounds. Percentiles are over all samples of all measured rounds; each
 * round's own p99 of every contender, with its ratio to that round's reference, is printed as well
 * ({@code herd.<size>.perRound}), so that a reader can see whether a pooled figure rests on one round.
 *
 * <p>Arguments: rounds (default 3), then the herd sizes (default 10000). With several sizes it prints
 * each size's figures under its own key prefix ({@code herd.<size>.}), for the scaling table.
 */
public final class HerdUnwind {
    private static final int DELAY_MS = 100;
    private static final Duration DELAY = Duration.ofMillis(DELAY_MS);
    private static final long DELAY_NANOS = DELAY.toNanos();
    static final String[] BODIES = {"sleep", "take", "cancellationSleep", "reference", "interruptFloor"};
    /** The index of the reference, plain sleep wake-ups, in {@link #BODIES}. */
    private static final int REFERENCE = 3;

    private HerdUnwind() {}

    /**
     * Runs the rounds and prints {@code RESULT} lines.
     *
     * @param args rounds, then herd sizes
     * @throws Exception when a round does not finish in time
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int[] sizes = args.length > 1 ? new int[args.length - 1] : new int[] {10_000};
        for (int i = 1; i < args.length; i++) {
            sizes[i - 1] = Integer.parseInt(args[i]);
        }
        for (int n : sizes) {
            long[][] samples = new long[BODIES.length][rounds * n];
            long[][] helperCpu = new long[BODIES.length][HELPERS.length];
            long[] processCpu = new long[BODIES.length];
            StringBuilder perRound = new StringBuilder();
            for (int r = -1; r < rounds; r++) {
                long[] roundP99 = new long[BODIES.length];
                for (int k = 0; k < BODIES.length; k++) {
                    int which = Math.floorMod(k + r, BODIES.length);
                    long[] before = helperCpu();
                    long p0 = OS.getProcessCpuTime();
                    long[] s = which == 3 ? plainSleep(n) : which == 4 ? interruptFloor(n) : unwind(n, which);
                    long p1 = OS.getProcessCpuTime();
                    long[] after = helperCpu();
                    if (r >= 0) {
                        roundP99[which] = p99(s);
                        System.arraycopy(s, 0, samples[which], r * n, n);
                        processCpu[which] += p1 - p0;
                        for (int h = 0; h < HELPERS.length; h++) {
                            helperCpu[which][h] += after[h] - before[h];
                        }
                    }
                }
                if (r >= 0) {
                    perRound.append(perRound.isEmpty() ? "" : "; ").append(roundLine(r, roundP99));
                }
            }
            Out.result("herd." + n + ".perRound", perRound.toString());
            for (int k = 0; k < BODIES.length; k++) {
                Out.percentiles("herd." + n + "." + BODIES[k], samples[k]);
                StringBuilder cpu = new StringBuilder();
                for (int h = 0; h < HELPERS.length; h++) {
                    cpu.append(h == 0 ? "" : ", ").append(HELPERS[h]).append(' ')
                            .append(Out.ms(helperCpu[k][h] / rounds)).append(" ms");
                }
                Out.result("herd." + n + "." + BODIES[k] + ".helperCpuPerRound", cpu.toString());
                // Robust to a loaded machine where latency is not: CPU of the whole round (arming, the
                // 100 ms wait, firing, unwinding) per thread.
                Out.result("herd." + n + "." + BODIES[k] + ".processCpuUsPerThread",
                        String.format("%.2f", processCpu[k] / 1e3 / rounds / n));
            }
        }
        Out.result("rounds", Integer.toString(rounds));
    }

    /**
     * One round's p99 of every contender, and each contender's ratio to the reference's p99 of the same
     * round: {@code round 1 p99 ms: sleep 12.345 (9.1x), ..., reference 1.357}.
     */
    static String roundLine(int r, long[] p99) {
        StringBuilder line = new StringBuilder("round " + (r + 1) + " p99 ms:");
        for (int k = 0; k < BODIES.length; k++) {
            line.append(k == 0 ? " " : ", ").append(BODIES[k]).append(' ').append(Out.ms(p99[k]));
            if (k != REFERENCE) {
                line.append(String.format(" (%.1fx)", (double) p99[k] / Math.max(1, p99[REFERENCE])));
            }
        }
        return line.toString();
    }

    private static long p99(long[] samples) {
        long[] s = samples.clone();
        Arrays.sort(s);
        return Out.percentile(s, 0.99);
    }

    static long[] unwind(int n, int body) throws InterruptedException {
        settle();
        long[] deadline = new long[n];
        long[] unwound = new long[n];
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int idx = i;
            Thread.ofVirtual().start(() -> {
                try {
                    Timeout.call(DELAY, () -> {
                        deadline[idx] = System.nanoTime() + Cancellation.current().remaining().orElseThrow().toNanos();
                        switch (body) {
                            case 0 -> Thread.sleep(60_000);
                            case 1 -> new LinkedBlockingQueue<Integer>().take();
                            default -> Cancellation.sleep(Duration.ofSeconds(60));
                        }
                        return null;
                    });
                    throw new AssertionError("the timeout did not fire");
                } catch (DeadlineExceededException e) {
                    unwound[idx] = System.nanoTime();
                } catch (InterruptedException e) {
                    // Not cancelkit's own interrupt, which surfaces as DeadlineExceededException.
                    throw new AssertionError("interrupted from outside", e);
                } finally {
                    done.countDown();
                }
            });
        }
        await(done, n, BODIES[body]);
        long[] d = new long[n];
        for (int i = 0; i < n; i++) {
            d[i] = unwound[i] - deadline[i];
        }
        return d;
    }

    static long[] plainSleep(int n) throws InterruptedException {
        settle();
        long[] late = new long[n];
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int idx = i;
            Thread.ofVirtual().start(() -> {
                try {
                    long due = System.nanoTime() + DELAY_NANOS;
                    Thread.sleep(DELAY);
                    late[idx] = System.nanoTime() - due;
                } catch (InterruptedException e) {
                    throw new AssertionError("nobody interrupts these sleeps", e);
                } finally {
                    done.countDown();
                }
            });
        }
        await(done, n, "plain sleep");
        return late;
    }

    /**
     * The floor of any interrupt-based unwind, without cancelkit: {@code n} virtual threads in
     * {@code Thread.sleep(60 s)}; at the deadline one platform thread interrupts them all, in order;
     * lateness = the moment the sleep threw {@link InterruptedException} in that thread minus the
     * deadline. Every thread pays what a timeout's body in {@code Thread.sleep} cannot avoid: an
     * interrupt sent to it, and the JDK's exception with its stack trace.
     */
    static long[] interruptFloor(int n) throws InterruptedException {
        settle();
        long[] late = new long[n];
        Thread[] sleepers = new Thread[n];
        CountDownLatch done = new CountDownLatch(n);
        long due = System.nanoTime() + DELAY_NANOS;
        for (int i = 0; i < n; i++) {
            int idx = i;
            sleepers[i] = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(60_000);
                    throw new AssertionError("the interrupter did not come");
                } catch (InterruptedException e) {
                    late[idx] = System.nanoTime() - due; // the interrupt is the whole point: nothing to restore
                } finally {
                    done.countDown();
                }
            });
        }
        Thread interrupter = Thread.ofPlatform().name("interrupter").start(() -> {
            for (long left; (left = due - System.nanoTime()) > 0; ) {
                java.util.concurrent.locks.LockSupport.parkNanos(left);
            }
            for (Thread t : sleepers) {
                t.interrupt();
            }
        });
        await(done, n, "interrupt floor");
        interrupter.join();
        return late;
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** cancelkit's own platform threads, by name prefix: their CPU per round is printed as context. */
    static final String[] HELPERS = {"cancelkit-timer", "cancelkit-redelivery", "cancelkit-offload"};

    /** CPU time so far of every live thread whose name starts with each prefix of {@link #HELPERS}. */
    static long[] helperCpu() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] cpu = new long[HELPERS.length];
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            for (int h = 0; h < HELPERS.length; h++) {
                if (t.getName().startsWith(HELPERS[h])) {
                    cpu[h] += Math.max(0, mx.getThreadCpuTime(t.threadId()));
                }
            }
        }
        return cpu;
    }

    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
    }

    private static void await(CountDownLatch done, int n, String what) throws InterruptedException {
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(what + ": " + done.getCount() + " of " + n + " never finished");
        }
    }
}
