package org.cancelkit.grpc;

import io.grpc.Deadline;
import io.grpc.Metadata;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The deadline a server gives one call (G2): the earliest of what the caller sent, less the transit
 * allowance, and the server's maximum; with the words that say where it came from, for the status
 * of a call it stopped.
 *
 * @param budget the call's time from its arrival; zero when the caller's deadline had already passed
 * @param origin where the budget came from, e.g. "grpc-timeout 150 ms less 1 ms transit allowance"
 */
record CallDeadline(Duration budget, String origin) {

    static final Metadata.Key<String> ENVOY_KEY =
            Metadata.Key.of(CancellationServerInterceptor.ENVOY_TIMEOUT_HEADER, Metadata.ASCII_STRING_MARSHALLER);

    /**
     * Works out a call's deadline.
     *
     * @param grpcDeadline the deadline grpc-java parsed from {@code grpc-timeout} (the call context's),
     *     or null when the caller sent none
     * @param headers the call's headers, for Envoy's header
     * @throws IllegalArgumentException when Envoy's header is not a whole number of milliseconds
     */
    static CallDeadline of(@Nullable Deadline grpcDeadline, Metadata headers, GrpcServerOptions options) {
        Duration max = options.maxDeadline();
        Duration allowance = options.transitAllowance();
        Duration budget = max;
        String origin = null;
        String asked = null;
        if (grpcDeadline != null) {
            Duration sent = Duration.ofNanos(Math.max(0, grpcDeadline.timeRemaining(TimeUnit.NANOSECONDS)));
            asked = "grpc-timeout " + format(sent);
            Duration left = minus(sent, allowance);
            if (left.compareTo(budget) < 0) {
                budget = left;
                origin = asked + " less " + format(allowance) + " transit allowance";
            }
        }
        String envoy = headers.get(ENVOY_KEY);
        if (envoy != null) {
            Duration sent = Duration.ofMillis(parseEnvoy(envoy));
            String a = CancellationServerInterceptor.ENVOY_TIMEOUT_HEADER + " " + format(sent);
            asked = asked == null ? a : asked + ", " + a;
            Duration left = minus(sent, allowance);
            if (left.compareTo(budget) < 0) {
                budget = left;
                origin = a + " less " + format(allowance) + " transit allowance";
            }
        }
        if (origin == null) {
            origin = "the server's maximum of " + format(max)
                    + (asked == null ? " (the caller sent no deadline)" : " (the caller asked for " + asked + ")");
        }
        return new CallDeadline(budget, origin);
    }

    private static long parseEnvoy(String value) {
        long ms;
        try {
            ms = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(CancellationServerInterceptor.ENVOY_TIMEOUT_HEADER
                    + " must be a whole number of milliseconds (e.g. \"250\"), got \"" + value + "\"", e);
        }
        if (ms < 0) {
            throw new IllegalArgumentException(CancellationServerInterceptor.ENVOY_TIMEOUT_HEADER
                    + " must not be negative, got " + ms);
        }
        return ms;
    }

    private static Duration minus(Duration sent, Duration allowance) {
        Duration left = sent.minus(allowance);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** "150 ms", "30 s", "2.5 ms": for people. */
    static String format(Duration d) {
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException e) {
            return d.toString();
        }
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + " s";
        }
        if (nanos >= 1_000_000L) {
            return nanos % 1_000_000L == 0 ? nanos / 1_000_000L + " ms"
                    : String.format(java.util.Locale.ROOT, "%.3f ms", nanos / 1e6);
        }
        return nanos + " ns";
    }
}
