package org.cancelkit.spring;

import java.time.Duration;
import java.util.Objects;
import org.cancelkit.CancellationToken;

/**
 * A request in flight, as {@link RequestTokens} lists it.
 *
 * @param id a number unique within this process
 * @param method the HTTP method
 * @param path the request's path, without the query string
 * @param startNanos when it started, on {@link System#nanoTime()}
 * @param token the request's token, read-only
 */
public record LiveRequest(long id, String method, String path, long startNanos, CancellationToken token) {
    /** Checks the parts. */
    public LiveRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(token, "token");
    }

    /**
     * Returns how long it has been running.
     *
     * @return how long it has been running
     */
    public Duration age() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
