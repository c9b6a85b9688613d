package org.cancelkit.http;

import java.io.Serial;

/**
 * What a {@link DeadlineClient} reports to its circuit breaker for a response with a 5xx status: the
 * service answered, but failed. The caller still gets the response itself; this exception is only
 * seen by the breaker (for example by a {@code recordException} predicate or an event consumer).
 */
public final class ServerErrorException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int statusCode;

    /**
     * Creates the exception.
     *
     * @param statusCode the response's status, 500 to 599
     * @param request the request, for the message
     */
    public ServerErrorException(int statusCode, String request) {
        super(request + " answered " + statusCode, null, false, false);
        this.statusCode = statusCode;
    }

    /**
     * Returns the response's status.
     *
     * @return the status, 500 to 599
     */
    public int statusCode() {
        return statusCode;
    }
}
