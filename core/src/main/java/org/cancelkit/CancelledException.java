package org.cancelkit;

import java.io.Serial;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * "Stop and unwind": thrown at a cancellation point inside a cancelled token, and by
 * {@link CancellationToken#call} and {@link Timeout} when the body ended because someone else
 * cancelled it. It carries the {@link CancelReason}.
 *
 * <p>A routine cancellation must be cheap, so by default this exception does not capture a stack
 * trace (it is thrown by the thousand when a server sheds load). Run with
 * {@code -Dcancelkit.cancelledStackTraces=true} to capture one while debugging. The exception that
 * interrupted the body, if any, is attached as the cause and keeps its own stack trace.
 *
 * <p>A timeout's own deadline is not a cancellation: see {@link DeadlineExceededException}.
 */
public final class CancelledException extends CancellationException {
    @Serial
    private static final long serialVersionUID = 1L;
    static final boolean STACK_TRACES = Boolean.getBoolean("cancelkit.cancelledStackTraces");

    private final transient CancelReason reason;

    /**
     * Creates the exception.
     *
     * @param reason why the work was cancelled
     */
    public CancelledException(CancelReason reason) {
        super("cancelled (" + Objects.requireNonNull(reason, "reason") + ")");
        this.reason = reason;
    }

    /**
     * Creates the exception with the exception that interrupted the body as its cause.
     *
     * @param reason why the work was cancelled
     * @param cause what the body threw when cancellation reached it; may be null
     */
    public CancelledException(CancelReason reason, @Nullable Throwable cause) {
        this(reason);
        if (cause != null) {
            initCause(cause);
        }
    }

    /**
     * Returns why the work was cancelled.
     *
     * @return why the work was cancelled
     */
    public CancelReason reason() {
        return reason;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return STACK_TRACES ? super.fillInStackTrace() : this;
    }
}
