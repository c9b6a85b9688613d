package org.cancelkit.jobs.postgres;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Random;

/**
 * The loop of a fuzz test: reproducible, bounded in time. Iteration {@code i} draws from its own
 * generator, started from the run's starting value {@link #START} and {@code i}, so a failure names both,
 * and {@code -Dcancelkit.fuzz.seed=S -Dcancelkit.fuzz.from=I} replays it first (the property's name is
 * the one the io, jobs and jetty fuzz tests read). The default suite runs
 * a few seconds per decoder; {@code -Pstress} (tag "stress") runs the long budget.
 */
final class Fuzz {
    static final long START = Long.getLong("cancelkit.fuzz.seed", System.nanoTime());
    static final Duration SHORT = Duration.ofSeconds(Long.getLong("cancelkit.fuzz.seconds", 3));
    static final Duration LONG = Duration.ofSeconds(Long.getLong("cancelkit.fuzz.stress.seconds", 120));
    private static final long FROM = Long.getLong("cancelkit.fuzz.from", 0);

    /** One iteration. */
    @FunctionalInterface
    interface Body {
        void run(Random rnd, long iteration) throws Exception;
    }

    private Fuzz() {}

    /**
     * Runs {@code body} from iteration {@code cancelkit.fuzz.from} until {@code budget} has passed (at
     * least {@code minIterations}), and returns the count. A failure is rethrown naming the starting value
     * and the iteration.
     */
    static long run(String name, Duration budget, long minIterations, Body body) {
        long end = System.nanoTime() + budget.toNanos();
        long i = FROM;
        for (; i - FROM < minIterations || System.nanoTime() < end; i++) {
            Random rnd = new Random(START * 0x9E3779B97F4A7C15L + i);
            try {
                body.run(rnd, i);
            } catch (Throwable t) {
                throw new AssertionError("[" + name + "] failed at starting value " + START + " iteration " + i
                        + " (replay: -Dcancelkit.fuzz.seed=" + START + " -Dcancelkit.fuzz.from=" + i + "): " + t, t);
            }
        }
        return i - FROM;
    }

    private static final Object BEAN;
    private static final Method ALLOCATED;

    static {
        Object bean = null;
        Method allocated = null;
        try { // by reflection: the tests run inside org.cancelkit.jobs.postgres, which does not read jdk.management
            bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            System.out.println("[fuzz] this JVM does not count allocations: allocation bounds are not checked");
        }
        BEAN = bean;
        ALLOCATED = allocated;
    }

    /** Bytes allocated by the current thread so far, or -1 where the JVM does not say. */
    static long allocatedBytes() {
        if (ALLOCATED == null) {
            return -1;
        }
        try {
            return (long) ALLOCATED.invoke(BEAN);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    /** A few of the bytes, for a failure message. */
    static String show(byte[] bytes) {
        String s = new String(bytes, 0, Math.min(bytes.length, 300), java.nio.charset.StandardCharsets.UTF_8);
        return bytes.length + " bytes: " + s.replaceAll("[\\p{Cntrl}&&[^\n]]", "?")
                + (bytes.length > 300 ? "…" : "");
    }
}
