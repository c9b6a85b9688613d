package org.cancelkit.testkit;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * The loop of a fuzz test: reproducible and bounded in time. Iteration {@code i} draws from its own
 * generator, started from the run's starting value {@link #START} and {@code i}, so a failure names both,
 * and {@code -Dcancelkit.fuzz.start=S -Dcancelkit.fuzz.from=I} replays it first.
 *
 * {@snippet :
 * @Test
 * void decoder() {
 *     Fuzz.run("decoder", Fuzz.SHORT, 1_000, (rnd, i) -> {
 *         byte[] input = randomInput(rnd);
 *         try {
 *             decode(input);
 *         } catch (DecodeException expected) {
 *             // a clear refusal is an outcome; any other exception fails the iteration
 *         }
 *     });
 * }
 * }
 *
 * <p>Budgets: {@link #SHORT} ({@code -Dcancelkit.fuzz.seconds}, 3 s by default) for the default suite,
 * {@link #LONG} ({@code -Dcancelkit.fuzz.stress.seconds}, 120 s) for a long run.
 */
public final class Fuzz {
    /** The run's starting value: {@code -Dcancelkit.fuzz.start}, or the time the class was loaded. */
    public static final long START = Long.getLong("cancelkit.fuzz.start", System.nanoTime());
    /** The short budget, for the default suite: {@code -Dcancelkit.fuzz.seconds} (3 s). */
    public static final Duration SHORT = Duration.ofSeconds(Long.getLong("cancelkit.fuzz.seconds", 3));
    /** The long budget, for stress runs: {@code -Dcancelkit.fuzz.stress.seconds} (120 s). */
    public static final Duration LONG = Duration.ofSeconds(Long.getLong("cancelkit.fuzz.stress.seconds", 120));
    private static final long FROM = Long.getLong("cancelkit.fuzz.from", 0);
    private static final int SHOWN = 300;

    /** One iteration of a fuzz test. */
    @FunctionalInterface
    public interface Body {
        /**
         * Runs one iteration.
         *
         * @param rnd this iteration's own generator
         * @param iteration the iteration's number
         * @throws Exception a failure of the iteration
         */
        void run(Random rnd, long iteration) throws Exception;
    }

    private Fuzz() {}

    /**
     * Runs {@code body} from iteration {@code cancelkit.fuzz.from} (0) until {@code budget} has passed
     * and at least {@code minIterations} have run.
     *
     * @param name what is fuzzed, for the failure message
     * @param budget how long to go on
     * @param minIterations how many iterations at least, whatever the budget
     * @param body one iteration
     * @return the number of iterations run
     * @throws AssertionError the first iteration's failure, naming the starting value, the iteration and
     *     the properties that replay it
     */
    public static long run(String name, Duration budget, long minIterations, Body body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        long end = System.nanoTime() + budget.toNanos();
        long i = FROM;
        for (; i - FROM < minIterations || System.nanoTime() < end; i++) {
            Random rnd = new Random(START * 0x9E3779B97F4A7C15L + i);
            try {
                body.run(rnd, i);
            } catch (Throwable t) {
                throw new AssertionError("[" + name + "] failed at starting value " + START + " iteration " + i
                        + " (replay: -Dcancelkit.fuzz.start=" + START + " -Dcancelkit.fuzz.from=" + i + "): " + t, t);
            }
        }
        return i - FROM;
    }

    /**
     * Returns the bytes the current thread has allocated so far, or -1 where the JVM does not count them.
     *
     * @return the bytes the current thread has allocated so far, or -1 where the JVM does not count them
     */
    public static long allocatedBytes() {
        return ManagementFactory.getThreadMXBean() instanceof ThreadMXBean b && b.isThreadAllocatedMemoryEnabled()
                ? b.getCurrentThreadAllocatedBytes() : -1;
    }

    /**
     * Shows the start of {@code bytes} for a failure message: the length, then up to 300 bytes as UTF-8
     * with control characters but the newline as {@code ?}.
     *
     * @param bytes the input
     * @return the text
     */
    public static String show(byte[] bytes) {
        String s = new String(bytes, 0, Math.min(bytes.length, SHOWN), StandardCharsets.UTF_8);
        return bytes.length + " bytes: " + s.replaceAll("[\\p{Cntrl}&&[^\n]]", "?") + (bytes.length > SHOWN ? "…" : "");
    }
}
