package org.cancelkit.bench;

import java.util.Arrays;

/** The line protocol between the measurement programs and {@link BenchMain}. */
final class Out {
    /** Marks a machine-readable line on a program's standard output. */
    static final String PREFIX = "RESULT ";

    private Out() {}

    /** Prints one result: a key without spaces, then the value. */
    static void result(String key, String value) {
        System.out.println(PREFIX + key + " " + value.replace('\n', ' '));
        System.out.flush();
    }

    /** Prints p50, p99 and max (and the count) of {@code samples} in nanoseconds, as milliseconds. */
    static void percentiles(String key, long[] samples) {
        long[] s = samples.clone();
        Arrays.sort(s);
        result(key + ".n", Integer.toString(s.length));
        result(key + ".p50", ms(percentile(s, 0.50)));
        result(key + ".p99", ms(percentile(s, 0.99)));
        result(key + ".max", ms(s[s.length - 1]));
    }

    /** Nearest-rank percentile of a sorted array. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static String ms(long nanos) {
        return String.format("%.3f", nanos / 1e6);
    }
}
