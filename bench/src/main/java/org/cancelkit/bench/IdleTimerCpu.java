package org.cancelkit.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.cancelkit.CancellationSource;

/**
 * Benchmark 6: what an idle timer costs. A program in its own JVM: it idles once with no deadline
 * armed (the timer thread does not exist yet: the baseline), then arms one token with a one-hour
 * deadline and idles again. Over each window it reads the process CPU time
 * ({@code com.sun.management.OperatingSystemMXBean}); in the armed window also the CPU time of the
 * {@code cancelkit-timer} thread ({@link ThreadMXBean}) and, from {@code /proc/self/task}, how often
 * that thread was switched in (its wake-ups).
 */
public final class IdleTimerCpu {
    private static final String TIMER_THREAD = "cancelkit-timer";

    private IdleTimerCpu() {}

    /**
     * Runs both windows and prints {@code RESULT} lines.
     *
     * @param args the length of each window in seconds (default 10)
     * @throws Exception when the timer thread cannot be found
     */
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Thread.sleep(1000); // let start-up work (JIT, class loading) die down

        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long baselineCpu = os.getProcessCpuTime() - cpu0;
        long baselineWall = System.nanoTime() - t0;

        CancellationSource token = CancellationSource.create().child(Duration.ofHours(1));
        Thread.sleep(1000);
        Thread timer = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(TIMER_THREAD)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + TIMER_THREAD + " thread after arming"));
        Optional<Path> task = Procfs.task(TIMER_THREAD);
        long switches0 = task.map(Procfs::switches).orElse(-1L);
        long timerCpu0 = threads.getThreadCpuTime(timer.threadId());
        cpu0 = os.getProcessCpuTime();
        t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long armedCpu = os.getProcessCpuTime() - cpu0;
        long armedWall = System.nanoTime() - t0;
        long timerCpu = threads.getThreadCpuTime(timer.threadId()) - timerCpu0;
        long switches1 = task.map(Procfs::switches).orElse(-1L);
        if (token.isCancelled()) {
            throw new IllegalStateException("the one-hour deadline fired early");
        }
        token.close();

        Out.result("seconds", Integer.toString(seconds));
        Out.result("baseline.processPct", pct(baselineCpu, baselineWall));
        Out.result("armed.processPct", pct(armedCpu, armedWall));
        Out.result("armed.timerPct", pct(timerCpu, armedWall));
        Out.result("armed.timerCpuMs", String.format("%.3f", timerCpu / 1e6));
        if (switches0 >= 0 && switches1 >= 0) {
            Out.result("armed.timerWakeupsPerSecond",
                    String.format("%.1f", (switches1 - switches0) / (armedWall / 1e9)));
        } else {
            Out.result("armed.timerWakeupsPerSecond", "n/a (no /proc/self/task entry named " + TIMER_THREAD + ")");
        }
    }

    private static String pct(long cpuNanos, long wallNanos) {
        return String.format("%.4f", 100.0 * cpuNanos / wallNanos);
    }
}
