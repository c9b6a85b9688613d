package org.cancelkit.spring;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The deadline header's value: whole milliseconds left, as cancelkit-http sends and reads it (H4). */
final class DeadlineHeaderValue {
    private DeadlineHeaderValue() {}

    /** Whole milliseconds, rounded down, so the next service never gets more time than the caller has. */
    static String format(Duration remaining) {
        if (remaining.isNegative()) {
            return "0";
        }
        try {
            return Long.toString(remaining.toMillis());
        } catch (ArithmeticException e) {
            return Long.toString(Long.MAX_VALUE);
        }
    }

    /** Empty when there is no header; an IllegalArgumentException saying what was wrong otherwise. */
    static Optional<Duration> parse(String name, @Nullable String value) {
        if (value == null) {
            return Optional.empty();
        }
        long ms;
        try {
            ms = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of milliseconds left (e.g. \"" + name
                    + ": 250\"), got \"" + value + "\"", e);
        }
        if (ms < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + ms
                    + "; send 0 when the deadline has passed, or leave the header out for no deadline");
        }
        return Optional.of(Duration.ofMillis(ms));
    }
}
