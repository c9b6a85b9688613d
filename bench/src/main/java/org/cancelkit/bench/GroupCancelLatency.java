package org.cancelkit.bench;

import java.time.Duration;
import java.util.Arrays;
import org.cancelkit.Cancellation;
import org.cancelkit.CompletionPolicy;
import org.cancelkit.TaskGroup;
import org.cancelkit.TaskReport;

/**
 * 10,000 tasks forked into one group, each sleeping for a minute; the group is cancelled and the time
 * until {@code join()} returns (every task thread has ended) is measured, over several rounds. A
 * program, not JMH: the quantity is one latency per round. Target: at most 50 ms.
 *
 * <p>Reference, in the same rounds (order alternating): 10,000 raw virtual threads in
 * {@code Thread.sleep(1 min)}, each interrupted by hand, then each joined: the JVM's own floor for
 * waking and ending that many threads. The first {@value #WARM_UP} rounds are warm-up (the JIT compiles
 * the cancel path in them) and are not reported.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.cancelkit.bench.GroupCancelLatency [rounds]}.
 */
public final class GroupCancelLatency {
    static final int N = 10_000;
    static final int WARM_UP = 4;

    private GroupCancelLatency() {}

    /**
     * Runs the rounds and prints one line per round and {@code RESULT} lines.
     *
     * @param args optional number of measured rounds (default 10)
     * @throws Exception when a round fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        double[] group = new double[rounds];
        double[] raw = new double[rounds];
        for (int r = -WARM_UP; r < rounds; r++) {
            double g;
            double w;
            if (r % 2 == 0) {
                g = groupRound();
                w = rawRound();
            } else {
                w = rawRound();
                g = groupRound();
            }
            System.out.printf("%s %d: group cancelled, all ended %.1f ms after cancelAll; raw threads %.1f ms%n",
                    r < 0 ? "warm-up" : "round", r, g, w);
            if (r >= 0) {
                group[r] = g;
                raw[r] = w;
            }
        }
        report("cancel", group);
        report("raw", raw);
        System.out.printf("10,000 forks cancelled: median %.1f ms (raw virtual threads %.1f ms) over %d rounds (target <= 50 ms)%n",
                median(group), median(raw), rounds);
    }

    private static double groupRound() throws InterruptedException {
        try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
            for (int i = 0; i < N; i++) {
                group.fork("sleeper", () -> Cancellation.sleep(Duration.ofMinutes(1)));
            }
            Thread.sleep(200); // let every task reach its sleep
            long start = System.nanoTime();
            group.cancelAll("benchmark");
            TaskReport report = group.join();
            double ms = (System.nanoTime() - start) / 1e6;
            if (report.cancelled().size() != N) {
                throw new IllegalStateException("expected " + N + " cancelled tasks, got " + report.cancelled().size());
            }
            return ms;
        }
    }

    private static double rawRound() throws InterruptedException {
        Thread[] threads = new Thread[N];
        for (int i = 0; i < N; i++) {
            threads[i] = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(Duration.ofMinutes(1));
                } catch (InterruptedException e) {
                    // The measured event: this thread was interrupted and now ends; nothing to restore.
                }
            });
        }
        Thread.sleep(200); // let every thread reach its sleep
        long start = System.nanoTime();
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join();
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void report(String key, double[] values) {
        StringBuilder perRound = new StringBuilder();
        for (double m : values) {
            perRound.append(perRound.isEmpty() ? "" : ", ").append(String.format("%.1f", m));
        }
        double[] s = values.clone();
        Arrays.sort(s);
        Out.result(key + ".rounds", Integer.toString(s.length));
        Out.result(key + ".median", String.format("%.1f", s[s.length / 2]));
        Out.result(key + ".max", String.format("%.1f", s[s.length - 1]));
        Out.result(key + ".perRound", perRound.toString());
    }
}
