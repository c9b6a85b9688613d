package org.cancelkit.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancellationSource;

/**
 * The scaling table, a program in its own JVM: how arming, firing and unwinding grow with the number
 * of concurrent timeouts, so that nothing is seen to be quadratic.
 *
 * <ul>
 *   <li>arm: {@code n} tokens {@code root.child(200 ms)} (each its own deadline on the system timer) with
 *       an {@code onCancel} callback; ns per token, from the first child's creation to the last's.</li>
 *   <li>fire: from the earliest of those deadlines until the last callback has run; ms in all, and ns
 *       per token.</li>
 *   <li>unwind (up to {@value #MAX_UNWIND} only: each is a blocked virtual thread, and the JVM has
 *       1 GiB): {@code n} virtual threads in {@code Timeout.call(100 ms, () -> Thread.sleep(60 s))},
 *       p99 unwind lateness ({@link HerdUnwind}) beside {@code n} plain {@code Thread.sleep(100 ms)}
 *       wake-ups.</li>
 * </ul>
 * One warm-up pass at 10,000, then each size once, smallest first.
 */
public final class Scaling {
    static final int MAX_UNWIND = 100_000;
    static final int[] SIZES = {10, 100, 1_000, 10_000, 100_000, 1_000_000};

    private Scaling() {}

    /**
     * Measures every size and prints {@code RESULT} lines.
     *
     * @param args unused
     * @throws Exception when a size does not finish in time
     */
    public static void main(String[] args) throws Exception {
        armAndFire(10_000);
        for (int n : SIZES) {
            double[] af = armAndFire(n);
            Out.result("scale." + n + ".armNsPerToken", String.format("%.1f", af[0]));
            Out.result("scale." + n + ".fireMs", String.format("%.3f", af[1]));
            Out.result("scale." + n + ".fireNsPerToken", String.format("%.1f", af[1] * 1e6 / n));
            if (n <= MAX_UNWIND) {
                long[] u = HerdUnwind.unwind(n, 0);
                long[] s = HerdUnwind.plainSleep(n);
                java.util.Arrays.sort(u);
                java.util.Arrays.sort(s);
                Out.result("scale." + n + ".unwindP99", Out.ms(Out.percentile(u, 0.99)));
                Out.result("scale." + n + ".sleepP99", Out.ms(Out.percentile(s, 0.99)));
            }
        }
    }

    /** Returns {ns per token armed, ms from the earliest deadline to the last callback}. */
    static double[] armAndFire(int n) throws InterruptedException {
        System.gc();
        Thread.sleep(200);
        CancellationSource root = CancellationSource.create();
        CancellationSource[] tokens = new CancellationSource[n];
        long[] fired = new long[1];
        CountDownLatch done = new CountDownLatch(n);
        Duration delay = Duration.ofMillis(200);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            tokens[i] = root.child(delay);
            tokens[i].onCancel(() -> {
                synchronized (fired) {
                    fired[0] = Math.max(fired[0], System.nanoTime());
                }
                done.countDown();
            });
        }
        long armed = System.nanoTime() - t0;
        long earliest = t0 + delay.toNanos();
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(n + " timeouts: " + done.getCount() + " never fired");
        }
        long last;
        synchronized (fired) {
            last = fired[0];
        }
        root.close();
        return new double[] {(double) armed / n, (last - earliest) / 1e6};
    }
}
