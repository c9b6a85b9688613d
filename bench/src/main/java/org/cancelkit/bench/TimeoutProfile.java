package org.cancelkit.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CheckedCallable;
import org.cancelkit.Timeout;

/**
 * A diagnostic for benchmark 2, not a JMH benchmark: where the cost of arming and disarming a
 * timeout goes besides the calling thread. One thread runs {@code Timeout.call(1 s, () -> x)} back to
 * back for a while, then {@code orTimeout} the same way; for each it reports the calling thread's
 * time and allocation per call, and the CPU time and wake-ups (context switches, from
 * {@code /proc/self/task}) per 1,000 calls of the thread that owns the deadlines: the
 * {@code cancelkit-timer} thread, or (JDK 25) the common pool's {@code delayScheduler}.
 */
public final class TimeoutProfile {
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private static volatile int sink;

    private TimeoutProfile() {}

    /**
     * Runs both and prints {@code RESULT} lines.
     *
     * @param args seconds per contender (default 3)
     * @throws Exception when a helper thread cannot be found
     */
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int[] x = {42};
        CheckedCallable<Integer, RuntimeException> body = () -> x[0];
        Runnable cancelkit = () -> sink += Timeout.call(ONE_SECOND, body);
        Runnable reference = () -> {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            f.orTimeout(1, TimeUnit.SECONDS);
            f.complete(body.call());
            sink += f.join();
        };
        profile("timeoutCall", cancelkit, "cancelkit-timer", seconds);
        profile("orTimeout", reference, "ForkJoinPool.commonPool-delayScheduler", seconds);
    }

    private static void profile(String key, Runnable op, String helperName, int seconds) throws InterruptedException {
        runFor(op, 1_000_000_000L); // warm-up; also starts the helper thread
        Thread.sleep(200);
        Thread helper = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(helperName))
                .findFirst().orElseThrow(() -> new IllegalStateException("no thread named " + helperName));
        Optional<Path> task = Procfs.task(helperName);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long helperCpu0 = threads.getThreadCpuTime(helper.threadId());
        long switches0 = task.map(Procfs::switches).orElse(-1L);
        long alloc0 = threads.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        long ops = runFor(op, seconds * 1_000_000_000L);
        long wall = System.nanoTime() - t0;
        long alloc = threads.getCurrentThreadAllocatedBytes() - alloc0;
        long helperCpu = threads.getThreadCpuTime(helper.threadId()) - helperCpu0;
        long switches = task.map(Procfs::switches).orElse(-1L) - switches0;
        Out.result(key + ".nsPerCall", String.format("%.1f", wall / (double) ops));
        Out.result(key + ".bytesPerCall", String.format("%.1f", alloc / (double) ops));
        Out.result(key + ".helperCpuNsPerCall", String.format("%.1f", helperCpu / (double) ops));
        Out.result(key + ".helperCpuPct", String.format("%.1f", 100.0 * helperCpu / wall));
        Out.result(key + ".helperWakeupsPer1000", switches0 < 0 ? "n/a" : String.format("%.2f", 1000.0 * switches / ops));
    }

    private static long runFor(Runnable op, long nanos) {
        long end = System.nanoTime() + nanos;
        long ops = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) {
                op.run();
            }
            ops += 1000;
        }
        return ops;
    }
}
