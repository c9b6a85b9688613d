package org.cancelkit.bench;

import java.time.Duration;
import java.util.Arrays;
import org.cancelkit.Cancellation;
import org.cancelkit.CompletionPolicy;
import org.cancelkit.TaskGroup;

/**
 * Issue 4: 10,000 tasks forked into one group, each sleeping for a minute; the group is cancelled and
 * the time until join returns (every task thread has ended) is measured, over several rounds. A
 * program, not JMH: the quantity is one latency per round. Target: at most 50 ms.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.cancelkit.bench.GroupCancelLatency [rounds]}.
 */
public final class GroupCancelLatency {
    private GroupCancelLatency() {}

    /**
     * Runs the rounds and prints one line per round and a summary.
     *
     * @param args optional number of rounds (default 10; the first two are warm-up)
     * @throws Exception when a round fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int n = 10_000;
        double[] ms = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                for (int i = 0; i < n; i++) {
                    group.fork("sleeper", () -> Cancellation.sleep(Duration.ofMinutes(1)));
                }
                Thread.sleep(200); // let every task reach its sleep
                long start = System.nanoTime();
                group.cancelAll("benchmark");
                TaskGroup.Report report = group.join();
                ms[r] = (System.nanoTime() - start) / 1e6;
                System.out.printf("round %d: %d tasks cancelled, all ended %.1f ms after cancelAll%n",
                        r, report.cancelled().size(), ms[r]);
            }
        }
        double[] measured = Arrays.copyOfRange(ms, Math.min(2, rounds - 1), rounds);
        StringBuilder perRound = new StringBuilder();
        for (double m : measured) {
            perRound.append(perRound.isEmpty() ? "" : ", ").append(String.format("%.1f", m));
        }
        Arrays.sort(measured);
        Out.result("cancel.rounds", Integer.toString(measured.length));
        Out.result("cancel.median", String.format("%.1f", measured[measured.length / 2]));
        Out.result("cancel.max", String.format("%.1f", measured[measured.length - 1]));
        Out.result("cancel.perRound", perRound.toString());
        System.out.printf("10,000 forks cancelled: median %.1f ms, max %.1f ms over %d measured rounds (target <= 50 ms)%n",
                measured[measured.length / 2], measured[measured.length - 1], measured.length);
    }
}
