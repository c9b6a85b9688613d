package org.cancelkit;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Why a token was cancelled. A token keeps the first reason it is given for ever; every descendant
 * cancelled with it reports the same reason object, so code deep in a tree can tell why it is being
 * stopped.
 *
 * <p>Immutable and thread-safe. Arguments must not be null unless stated.
 */
public final class CancelReason {

    /** The kinds of reason. */
    public enum Kind {
        /** Someone called {@code cancel}. */
        REQUESTED,
        /** A deadline passed. */
        DEADLINE,
        /** The application is shutting down. */
        SHUTDOWN,
        /** A sibling task failed, so its group cancelled the others. */
        SIBLING_FAILED,
        /** The token was closed while work was still bound to it. */
        CLOSED
    }

    private final Kind kind;
    private final String message;
    private final @Nullable Throwable cause;
    /** The token whose own deadline fired, for {@link Kind#DEADLINE}; null otherwise. */
    final @Nullable Node origin;

    private CancelReason(Kind kind, String message, @Nullable Throwable cause,
                         @Nullable Node origin) {
        this.kind = kind;
        this.message = message;
        this.cause = cause;
        this.origin = origin;
    }

    /**
     * A cancel someone asked for.
     *
     * @param message why, for people reading logs
     * @return the reason
     */
    public static CancelReason requested(String message) {
        return new CancelReason(Kind.REQUESTED, Objects.requireNonNull(message, "message"), null, null);
    }

    /**
     * A shutdown.
     *
     * @param message why, for people reading logs
     * @return the reason
     */
    public static CancelReason shutdown(String message) {
        return new CancelReason(Kind.SHUTDOWN, Objects.requireNonNull(message, "message"), null, null);
    }

    /**
     * A sibling's failure.
     *
     * @param failure what the sibling threw
     * @return the reason, carrying the failure as its cause
     */
    public static CancelReason siblingFailed(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        return new CancelReason(Kind.SIBLING_FAILED, "a sibling failed: " + failure, failure, null);
    }

    static CancelReason deadline(Node origin) {
        return new CancelReason(Kind.DEADLINE, "deadline passed", null, origin);
    }

    static final CancelReason CLOSED = new CancelReason(Kind.CLOSED, "token closed", null, null);

    /**
     * Returns the kind of reason.
     *
     * @return the kind of reason
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns the message given when the reason was made.
     *
     * @return the message given when the reason was made
     */
    public String message() {
        return message;
    }

    /**
     * Returns the failure behind this reason, if there is one.
     *
     * @return the failure behind this reason, if there is one
     */
    public Optional<Throwable> cause() {
        return Optional.ofNullable(cause);
    }

    @Override
    public String toString() {
        return kind + ": " + message;
    }
}
