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
 *
 * <p>Its stack trace: when a timeout's deadline stops a body blocked in the JDK, the cause (an
 * {@link InterruptedException}, say) already carries the whole stack, from the blocked call through
 * {@link Timeout#call} to its caller, and this exception does not capture its own; when a herd of
 * timeouts fires together, each thread then unwinds at the cost of one stack trace, not two. With no
 * such cause (a {@link CancelledException} from a cancellation point carries none), or with
 * {@code -Dcancelkit.cancelledStackTraces=true}, it captures its own. The public constructor always
 * captures one.
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
        ownTrace = true;
    }

    private DeadlineExceededException(String message, @Nullable Throwable cause, boolean ownTrace) {
        super(message, cause, true, ownTrace);
        this.ownTrace = ownTrace;
    }

    /** Whether this exception captured its own stack trace; not serialised. */
    private final transient boolean ownTrace;

    /** The timeout's node, so that {@link Timeout#callOrEmpty} catches only its own; not serialised. */
    transient @Nullable Node origin;

    static DeadlineExceededException of(@Nullable Duration timeout, @Nullable Throwable cause, Node origin) {
        String what = timeout == null ? "deadline exceeded" : "deadline of " + Durations.format(timeout) + " exceeded";
        DeadlineExceededException e = new DeadlineExceededException(what, cause,
                CancelledException.STACK_TRACES || !carriesStack(cause));
        e.origin = origin;
        return e;
    }

    /** Whether {@code t} or a cause holds a stack trace: cancelkit's cancellations hold none unless asked. */
    private static boolean carriesStack(@Nullable Throwable t) {
        for (int i = 0; t != null && i < 16; i++, t = t.getCause()) {
            if (t instanceof CancelledException) {
                continue; // captures none unless cancelkit.cancelledStackTraces is set
            }
            if (!(t instanceof DeadlineExceededException d) || d.ownTrace) {
                return true;
            }
        }
        return false;
    }
}
