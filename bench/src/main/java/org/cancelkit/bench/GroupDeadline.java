package org.cancelkit.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.StructuredTaskScope;
import org.cancelkit.Cancellation;
import org.cancelkit.CompletionPolicy;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.TaskGroup;
import org.cancelkit.Timeout;

/**
 * A group of {@value #N} sleeping forks cancelled by its deadline, a program in its own JVM, three
 * contenders in one run: from the deadline until <em>every</em> fork's body has ended (each records
 * {@code System.nanoTime()} in a {@code finally}; the figure is the latest minus the deadline).
 *
 * <ul>
 *   <li>cancelkit: {@code Timeout.run(1 s, () -> { TaskGroup g = open(supervise()); fork × N
 *       (Thread.sleep(60 s)); g.join(); })}; deadline read inside the timeout.</li>
 *   <li>kotlinx: {@code withTimeout(1 s) { repeat(N) { launch { delay(60 s) } } }} on
 *       {@code Dispatchers.Default}; deadline read just before {@code withTimeout}.</li>
 *   <li>{@code StructuredTaskScope.open(Joiner.awaitAll(), cf -> cf.withTimeout(1 s))} (preview),
 *       fork × N ({@code Thread.sleep(60 s)}), {@code join()} throws the timeout; deadline read just
 *       before {@code open}.</li>
 * </ul>
 * One discarded warm-up round, then the measured rounds (default 3), the contenders' order rotating.
 */
public final class GroupDeadline {
    static final int N = 10_000;
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    static final String[] CONTENDERS = {"cancelkit", "kotlinx", "structuredTaskScope"};

    private GroupDeadline() {}

    /**
     * Runs the rounds and prints {@code RESULT} lines.
     *
     * @param args optional number of measured rounds (default 3)
     * @throws Exception when a round fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        double[][] ms = new double[CONTENDERS.length][rounds];
        for (int r = -1; r < rounds; r++) {
            for (int k = 0; k < CONTENDERS.length; k++) {
                int which = Math.floorMod(k + r, CONTENDERS.length);
                System.gc();
                Thread.sleep(200);
                long[] ended = new long[N];
                long deadline = switch (which) {
                    case 0 -> cancelkit(ended);
                    case 1 -> Kx.groupDeadline(N, TIMEOUT.toMillis(), ended);
                    default -> structuredTaskScope(ended);
                };
                double late = (Arrays.stream(ended).max().orElseThrow() - deadline) / 1e6;
                System.out.printf("%s %d: %s, every fork ended %.1f ms after the deadline%n",
                        r < 0 ? "warm-up" : "round", r, CONTENDERS[which], late);
                if (r >= 0) {
                    ms[which][r] = late;
                }
            }
        }
        for (int k = 0; k < CONTENDERS.length; k++) {
            double[] s = ms[k].clone();
            Arrays.sort(s);
            Out.result(CONTENDERS[k] + ".median", String.format("%.1f", s[s.length / 2]));
            Out.result(CONTENDERS[k] + ".max", String.format("%.1f", s[s.length - 1]));
        }
        Out.result("rounds", Integer.toString(rounds));
    }

    private static long cancelkit(long[] ended) throws InterruptedException {
        long[] deadline = new long[1];
        try {
            Timeout.run(TIMEOUT, () -> {
                deadline[0] = System.nanoTime() + Cancellation.current().remaining().orElseThrow().toNanos();
                try (TaskGroup g = TaskGroup.open(CompletionPolicy.supervise())) {
                    for (int i = 0; i < N; i++) {
                        int idx = i;
                        g.fork("sleeper", () -> {
                            try {
                                Thread.sleep(60_000);
                            } finally {
                                ended[idx] = System.nanoTime();
                            }
                        });
                    }
                    g.join();
                }
            });
            throw new IllegalStateException("the group's deadline did not stop it");
        } catch (DeadlineExceededException e) {
            return deadline[0];
        }
    }

    private static long structuredTaskScope(long[] ended) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<Void>awaitAll(),
                cf -> cf.withTimeout(TIMEOUT))) {
            for (int i = 0; i < N; i++) {
                int idx = i;
                scope.fork(() -> {
                    try {
                        Thread.sleep(60_000);
                        return null;
                    } finally {
                        ended[idx] = System.nanoTime();
                    }
                });
            }
            scope.join();
            throw new IllegalStateException("the scope's timeout did not stop it");
        } catch (StructuredTaskScope.TimeoutException e) {
            return deadline;
        }
    }
}
