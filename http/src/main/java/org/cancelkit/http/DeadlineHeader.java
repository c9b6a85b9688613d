package org.cancelkit.http;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The request header that carries a caller's remaining deadline to the next service (H4), as whole
 * milliseconds left: relative, since the clocks of two machines do not agree. {@code 0} means the
 * deadline has already passed. {@link DeadlineClient} writes it; a server reads it with
 * {@link #earliest(List)} (on Jetty, {@code DeadlineHandler} in module {@code org.cancelkit.jetty} does).
 * It lives here, in the client's module, so that the client needs no server and the server module
 * shares one format with it.
 *
 * <h2>Syntax</h2>
 * A value is one or more ASCII digits ({@code 0}-{@code 9}, nothing else: no sign, no fraction, no
 * other script's digits), with optional spaces or tabs around it. A request may carry several values,
 * as several header lines or as a comma-separated list in one line (HTTP allows a proxy to merge the
 * two); the earliest deadline wins, since any hop on the way may shorten the caller's time but none
 * may lengthen it. Empty list elements ({@code "250, , 300"}) are skipped, as HTTP asks.
 *
 * <h2>What is refused</h2>
 * Anything else is refused with an {@link IllegalArgumentException} that says what was received and
 * what to send: a sign, a fraction, an exponent, a letter, a control character, a header with no value
 * at all, or more than {@value #MAX_VALUES} values. One bad value refuses the whole header, even next to
 * good ones: it may have been the tightest deadline, and guessing would give the request more time than
 * its caller meant. A number too large for a {@code long} is read as {@code Long.MAX_VALUE}
 * milliseconds, the longest deadline there is; the server's {@code DeadlineHandler} (module
 * {@code org.cancelkit.jetty}) caps it at its maximum like any other.
 *
 * <h2>Cost</h2>
 * Parsing reads each character once and allocates nothing but its result, whatever the input; a
 * refusal's message quotes at most the first {@value #QUOTED} characters of the value, escaped.
 *
 * <p>Thread-safe (stateless).
 */
public final class DeadlineHeader {
    /** The header's name: {@value}. */
    public static final String NAME = "Cancelkit-Deadline-Ms";

    /** The most values one request may carry, over all its header lines: {@value}. */
    public static final int MAX_VALUES = 16;

    /** How many characters of a refused value a message quotes. */
    static final int QUOTED = 64;

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
     * Parses the value of one header line, which may be a comma-separated list.
     *
     * @param value the header's value, or null when the request has none
     * @return the earliest time left among the values, or empty when there was no header
     * @throws IllegalArgumentException when a value is not a whole, non-negative number of
     *     milliseconds, the line holds no value, or it holds more than {@value #MAX_VALUES}; the message
     *     says what was received and what is expected
     */
    public static Optional<Duration> parse(@Nullable String value) {
        return value == null ? Optional.empty() : earliest(List.of(value));
    }

    /**
     * Parses all the header lines of one request: the earliest deadline among all their values.
     *
     * @param fieldValues the values of the request's {@value #NAME} lines, in any order; empty when it
     *     has none
     * @return the earliest time left, or empty when there was no header line
     * @throws IllegalArgumentException when any value is malformed, a line holds no value, or the lines
     *     hold more than {@value #MAX_VALUES} values together; the message says which and why
     */
    public static Optional<Duration> earliest(List<String> fieldValues) {
        long earliest = Long.MAX_VALUE;
        int values = 0;
        for (String line : fieldValues) {
            int inLine = 0;
            int n = line.length();
            int i = 0;
            while (true) {
                i = skipSpace(line, i);
                int start = i;
                long ms = 0;
                while (i < n && isDigit(line.charAt(i))) {
                    int d = line.charAt(i) - '0';
                    // Saturates: a number too large for a long is the longest deadline there is.
                    ms = ms > (Long.MAX_VALUE - d) / 10 ? Long.MAX_VALUE : ms * 10 + d;
                    i++;
                }
                boolean digits = i > start;
                i = skipSpace(line, i);
                if (i < n && line.charAt(i) != ',') {
                    throw malformed(line, i);
                }
                if (digits) {
                    inLine++;
                    if (++values > MAX_VALUES) {
                        throw new IllegalArgumentException(NAME + " carries more than " + MAX_VALUES
                                + " values (at most " + MAX_VALUES + " are read, over all its lines); send one: "
                                + "the time the caller has left, in whole milliseconds");
                    }
                    earliest = Math.min(earliest, ms);
                }
                if (i >= n) {
                    break;
                }
                i++; // the comma
            }
            if (inLine == 0) {
                throw new IllegalArgumentException(NAME + " is present with no value (got " + quote(line)
                        + "); send the whole milliseconds the caller has left (e.g. \"" + NAME
                        + ": 250\"), or leave the header out for the server's maximum");
            }
        }
        return values == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(earliest));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Skips HTTP's optional whitespace: spaces and horizontal tabs only. */
    private static int skipSpace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static IllegalArgumentException malformed(String line, int at) {
        char c = line.charAt(at);
        if (c == '-' && at + 1 < line.length() && isDigit(line.charAt(at + 1))) {
            return new IllegalArgumentException(NAME + " must not be negative, got " + quote(line)
                    + "; send 0 when the deadline has passed, or leave the header out for the server's maximum");
        }
        return new IllegalArgumentException(NAME + " must be a whole number of milliseconds left (ASCII digits, "
                + "e.g. \"" + NAME + ": 250\"; several values separated by commas), got " + quote(line)
                + " with " + describe(c) + " at index " + at);
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : "character U+" + hex(c);
    }

    private static String hex(char c) {
        String h = Integer.toHexString(c | 0x10000).substring(1);
        return h.toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * Quotes at most {@value #QUOTED} characters of a value, in double quotes, with anything but
     * printable ASCII escaped as {@code \\uXXXX}, so a message never grows with its input nor carries
     * control characters.
     */
    static String quote(String value) {
        int shown = Math.min(value.length(), QUOTED);
        StringBuilder b = new StringBuilder(shown + 60).append('"');
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                b.append(c);
            } else {
                b.append("\\u").append(hex(c));
            }
        }
        if (value.length() > shown) {
            return b.append("...\" (").append(value.length()).append(" characters, the first ").append(shown)
                    .append(" shown)").toString();
        }
        return b.append('"').toString();
    }
}
