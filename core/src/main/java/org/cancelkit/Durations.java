package org.cancelkit;

import java.time.Duration;
import java.util.Objects;

/** Duration checks and saturating arithmetic shared by the public API. */
final class Durations {
    private Durations() {}

    /** Validates a timeout argument: non-null, not negative. Zero means "already expired". */
    static Duration requireTimeout(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d
                    + "; pass Duration.ZERO for an already expired deadline");
        }
        return d;
    }

    /** Nanoseconds of a non-negative duration, saturating at {@link Long#MAX_VALUE}. */
    static long toNanosSaturated(Duration d) {
        if (d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) {
            return Long.MAX_VALUE;
        }
        return d.toNanos();
    }

    /** {@code now + delta}, saturating at {@link Long#MAX_VALUE} ("no deadline"). */
    static long deadlineAfter(long now, long deltaNanos) {
        long sum = now + deltaNanos;
        // overflow only when both are positive and the sum wrapped
        return (deltaNanos > 0 && sum < now) || sum == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : sum;
    }

    static String format(Duration d) {
        if (d.toMillis() < 1) {
            return d.toNanos() + " ns";
        }
        if (d.toSeconds() < 10) {
            return d.toMillis() + " ms";
        }
        return d.toSeconds() + " s";
    }
}
