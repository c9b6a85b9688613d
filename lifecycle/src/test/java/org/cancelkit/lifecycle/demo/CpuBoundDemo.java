package org.cancelkit.lifecycle.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.lifecycle.Application;
import org.cancelkit.lifecycle.Worker;

/**
 * The child JVM of {@code CpuBoundWorkersInChildJvmTest}: two workers that keep a CPU busy and never
 * block, as many as the virtual-thread scheduler has carriers (the test runs it with
 * {@code -Djdk.virtualThreadScheduler.parallelism=2}), so no other virtual thread is scheduled while
 * they run. In its own package, so that it runs from the class path while the library runs on the
 * module path.
 *
 * <p>Arguments: {@code spin} (the workers ignore every cancel) or {@code polite} (each loops
 * {@code while (!token.isCancelled())}), then the workers' grace in milliseconds.
 *
 * <p>Output: {@code spinning NAME} once each worker runs; {@code NAME: cancel seen} from each worker's
 * {@code onCancel} callback; {@code READY} once both spin; {@code probe ran} if a virtual thread
 * started after that ever gets a carrier (the test's control that the carriers were all busy).
 */
public final class CpuBoundDemo {
    private static final int WORKERS = 2;
    /** Where the polite workers leave their result, so the work is not optimised away. */
    static volatile long sink;

    private CpuBoundDemo() {}

    /**
     * Runs the demo.
     *
     * @param args {@code spin} or {@code polite}, then the grace in milliseconds
     * @throws InterruptedException when interrupted while waiting for the workers to spin
     */
    public static void main(String[] args) throws InterruptedException {
        boolean polite = args[0].equals("polite");
        Duration grace = Duration.ofMillis(Long.parseLong(args[1]));
        Application.Builder b = Application.builder("cpu").budget(Duration.ofSeconds(3))
                .hardStopWait(Duration.ofMillis(250));
        List<CancellationSource> spinning = new ArrayList<>();
        for (int i = 1; i <= WORKERS; i++) {
            String name = "spin-" + i;
            CancellationSource running = CancellationSource.create();
            spinning.add(running);
            b.add(Worker.of(name, grace, token -> {
                token.onCancel(() -> System.out.println(name + ": cancel seen"));
                System.out.println("spinning " + name);
                running.cancel("spinning");
                if (polite) {
                    long sum = 0;
                    while (!token.isCancelled()) {
                        sum += work(sum);
                    }
                    sink = sum;
                    System.out.println(name + ": stopped");
                } else {
                    spinForever();
                }
            }));
        }
        Application app = b.build().handleSignals().start();
        for (CancellationToken t : spinning) {
            t.awaitCancellation(); // on this platform thread, woken by a worker: they both run
        }
        Thread.ofVirtual().start(() -> System.out.println("probe ran"));
        System.out.println("READY " + app.signalHandling().orElse("none"));
        app.runAndExit();
    }

    /** Ignores every cancel and never blocks: a frame to find in the report. */
    static void spinForever() {
        long sum = 0;
        while (sum != -1) {
            sum += work(sum);
        }
    }

    /** A little CPU work, short enough that the JVM reaches its safepoints. */
    static long work(long seed) {
        long h = seed;
        for (int i = 0; i < 1_000; i++) {
            h = h * 31 + i;
        }
        return h & 1;
    }
}
