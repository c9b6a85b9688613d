package org.cancelkit.http;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The request header that carries a caller's remaining deadline to the next service (H4), as whole
 * milliseconds left: relative, since the clocks of two machines do not agree. {@code 0} means the
 * deadline has already passed.
 *
 * <p>Thread-safe (stateless).
 */
public final class DeadlineHeader {
    /** The header's name: {@value}. */
    public static final String NAME = "Cancelkit-Deadline-Ms";

    private DeadlineHeader() {}

    /**
     * Formats a remaining time: whole milliseconds, rounded down, so the next service never gets more
     * time than the caller has.
     *
     * @param remaining the time left, not negative
     * @return the header value
     * @throws IllegalArgumentException when {@code remaining} is negative
     */
    public static String format(Duration remaining) {
        if (remaining.isNegative()) {
            throw new IllegalArgumentException("the remaining time must not be negative, got " + remaining
                    + "; pass Duration.ZERO for a deadline that has passed");
        }
        long ms;
        try {
            ms = remaining.toMillis();
        } catch (ArithmeticException e) {
            ms = Long.MAX_VALUE;
        }
        return Long.toString(ms);
    }

    /**
     * Parses a header value.
     *
     * @param value the header's value, or null when the request has none
     * @return the time left, or empty when there was no header
     * @throws IllegalArgumentException when the value is not a whole, non-negative number of
     *     milliseconds; the message says what was received and what is expected
     */
    public static Optional<Duration> parse(@Nullable String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.strip();
        long ms;
        try {
            ms = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(NAME + " must be a whole number of milliseconds left (e.g. \""
                    + NAME + ": 250\"), got \"" + value + "\"", e);
        }
        if (ms < 0) {
            throw new IllegalArgumentException(NAME + " must not be negative, got " + ms
                    + "; send 0 when the deadline has passed, or leave the header out for no deadline");
        }
        return Optional.of(Duration.ofMillis(ms));
    }
}
