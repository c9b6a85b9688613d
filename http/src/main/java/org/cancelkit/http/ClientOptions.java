package org.cancelkit.http;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.Objects;
import org.cancelkit.Bulkhead;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link DeadlineClient} sends: the default timeout of a request, and the bulkhead and circuit
 * breaker it goes through, if any. Immutable; copy with the {@code withX} methods.
 *
 * {@snippet :
 * ClientOptions options = ClientOptions.defaults()
 *         .withTimeout(Duration.ofSeconds(2))
 *         .withBulkhead(Bulkhead.of("users", 10))
 *         .withCircuitBreaker(CircuitBreaker.ofDefaults("users"));
 * }
 *
 * @param timeout a request's own timeout when the {@link java.net.http.HttpRequest} sets none; positive
 * @param bulkhead limits how many requests run at once; null for no limit
 * @param circuitBreaker stops calling a failing service; null for none
 */
public record ClientOptions(Duration timeout, @Nullable Bulkhead bulkhead, @Nullable CircuitBreaker circuitBreaker) {

    /** Validates the parts. */
    public ClientOptions {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout
                    + "; a request needs some time to be sent at all");
        }
    }

    /**
     * Returns the defaults: a 10-second timeout, no bulkhead, no circuit breaker.
     *
     * @return the defaults
     */
    public static ClientOptions defaults() {
        return new ClientOptions(Duration.ofSeconds(10), null, null);
    }

    /**
     * Returns a copy with another default timeout.
     *
     * @param timeout positive
     * @return the copy
     */
    public ClientOptions withTimeout(Duration timeout) {
        return new ClientOptions(timeout, bulkhead, circuitBreaker);
    }

    /**
     * Returns a copy with a bulkhead.
     *
     * @param bulkhead the bulkhead every request takes a permit from
     * @return the copy
     */
    public ClientOptions withBulkhead(Bulkhead bulkhead) {
        return new ClientOptions(timeout, Objects.requireNonNull(bulkhead, "bulkhead"), circuitBreaker);
    }

    /**
     * Returns a copy with a circuit breaker.
     *
     * @param circuitBreaker the breaker every request asks for permission and reports to
     * @return the copy
     */
    public ClientOptions withCircuitBreaker(CircuitBreaker circuitBreaker) {
        return new ClientOptions(timeout, bulkhead, Objects.requireNonNull(circuitBreaker, "circuitBreaker"));
    }
}
