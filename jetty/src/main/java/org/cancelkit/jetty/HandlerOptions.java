package org.cancelkit.jetty;

import java.time.Duration;
import java.util.Objects;
import org.cancelkit.http.DeadlineHeader;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link DeadlineHandler} bounds and answers requests: the longest any request may run, whatever
 * its caller asks for, and what a request stopped by a shutdown is told. Immutable; copy with the
 * {@code withX} methods.
 *
 * {@snippet :
 * HandlerOptions options = HandlerOptions.defaults()
 *         .withMaximum(Duration.ofSeconds(10))     // no request runs longer than 10 s
 *         .withRetryAfter(Duration.ofSeconds(5));  // a request stopped by a shutdown: 503, Retry-After: 5
 * server.setHandler(new DeadlineHandler(serverToken, options, myHandler));
 * }
 *
 * <h2>The maximum</h2>
 * Every request's deadline is the earlier of the caller's ({@value DeadlineHeader#NAME}) and
 * {@code maximum} after it reached the handler; a request without the header gets the maximum. The
 * header comes from the client, so without a maximum any client could hold a server thread for as long
 * as it likes, and over HTTP/1.1 even after it has gone (Jetty does not watch an idle HTTP/1.1
 * connection while a handler runs). The default, 30 seconds, is what a user waits for at most before
 * giving up, and is below the 60-second read timeout of common reverse proxies and load balancers
 * (nginx's {@code proxy_read_timeout}, an AWS load balancer's idle timeout), so the handler has stopped
 * and answered 504 before a proxy in front gives up on it. Lower it for services whose calls are short;
 * there is no "unbounded": a maximum of years is accepted, and is what that means.
 *
 * <h2>Retry-After</h2>
 * A request that a shutdown or drain of the server's token stopped (or that arrived after it) is
 * answered {@code 503 Service Unavailable}: the work was not done, and another instance, or this one
 * restarted, may do it. {@code retryAfter} is sent with it in whole seconds, rounded up; the default, 1
 * second, says "soon, and not at once" (a restart or a load balancer's switch to another instance takes
 * about that); {@link Duration#ZERO} sends no {@code Retry-After}.
 *
 * @param maximum the longest any request may run, counted from when it reaches the handler; positive
 * @param retryAfter what a 503 after a shutdown says in {@code Retry-After}; zero for no header, not
 *     negative
 */
public record HandlerOptions(Duration maximum, Duration retryAfter) {

    /** The default maximum: {@value #DEFAULT_MAXIMUM_SECONDS} seconds. */
    public static final long DEFAULT_MAXIMUM_SECONDS = 30;

    /** Validates the parts. */
    public HandlerOptions {
        Objects.requireNonNull(maximum, "maximum");
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (maximum.isNegative() || maximum.isZero()) {
            throw new IllegalArgumentException("maximum must be positive, got " + maximum
                    + "; it is the longest any request may run (HandlerOptions.defaults() has "
                    + DEFAULT_MAXIMUM_SECONDS + " s)");
        }
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, got " + retryAfter
                    + "; pass Duration.ZERO to send no Retry-After header");
        }
    }

    /**
     * Returns the defaults: a maximum of {@value #DEFAULT_MAXIMUM_SECONDS} seconds per request, and
     * {@code Retry-After: 1} on a 503 after a shutdown.
     *
     * @return the defaults
     */
    public static HandlerOptions defaults() {
        return new HandlerOptions(Duration.ofSeconds(DEFAULT_MAXIMUM_SECONDS), Duration.ofSeconds(1));
    }

    /**
     * Returns a copy with another maximum.
     *
     * @param maximum the longest any request may run; positive
     * @return the copy
     */
    public HandlerOptions withMaximum(Duration maximum) {
        return new HandlerOptions(maximum, retryAfter);
    }

    /**
     * Returns a copy that sends another {@code Retry-After} with a 503 after a shutdown.
     *
     * @param retryAfter not negative; rounded up to whole seconds; zero for no header
     * @return the copy
     */
    public HandlerOptions withRetryAfter(Duration retryAfter) {
        return new HandlerOptions(maximum, retryAfter);
    }

    /** The {@code Retry-After} value in whole seconds, rounded up, or null for none. */
    @Nullable String retryAfterHeader() {
        if (retryAfter.isZero()) {
            return null;
        }
        long seconds = retryAfter.getSeconds();
        if (retryAfter.getNano() > 0 && seconds < Long.MAX_VALUE) {
            seconds++;
        }
        return Long.toString(seconds);
    }
}
