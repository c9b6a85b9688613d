package org.cancelkit;

import java.io.Serial;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A timeout's <em>own</em> deadline passed before its body finished: a failure that the caller of
 * {@link Timeout#call} (or of a retry that cannot fit another attempt) sees. An outer cancellation
 * passing through a timeout is not this exception but a {@link CancelledException}: a parent must
 * never mistake a child's timeout for a quiet cancel.
 *
 * <p>Its cause, if any, is what the body threw when the deadline reached it (for a retry, the last
 * attempt's failure).
 */
public final class DeadlineExceededException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what ran out of time
     * @param cause what the body threw when the deadline reached it; may be null
     */
    public DeadlineExceededException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /** The timeout's node, so that {@link Timeout#callOrEmpty} catches only its own; not serialised. */
    transient @Nullable Node origin;

    static DeadlineExceededException of(@Nullable Duration timeout, @Nullable Throwable cause, Node origin) {
        String what = timeout == null ? "deadline exceeded" : "deadline of " + Durations.format(timeout) + " exceeded";
        DeadlineExceededException e = new DeadlineExceededException(what, cause);
        e.origin = origin;
        return e;
    }
}
