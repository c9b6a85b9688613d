package org.cancelkit.grpc;

import io.grpc.Status;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What became of one call during a drain (G4): a line of a {@link DrainReport}.
 *
 * @param method the full method name, e.g. {@code "demo.Echo/Unary"}
 * @param kind how the call ended
 * @param code the status the call ended with ({@code UNKNOWN} while it still runs)
 * @param description the status's description, or empty
 * @param endedAfter when the call ended, counted from the start of the drain; null while it still runs
 */
public record CallOutcome(String method, Kind kind, Status.Code code, String description,
                          @Nullable Duration endedAfter) {

    /** How a call ended. */
    public enum Kind {
        /** The handler completed the call with {@code OK}. */
        COMPLETED,
        /** The handler ended the call with an error status of its own, or the client cancelled it. */
        FAILED,
        /** The drain's cancellation stopped the handler: the call ended {@code UNAVAILABLE}. */
        STOPPED_BY_DRAIN,
        /** The call arrived after the drain began and was refused ({@code UNAVAILABLE}). */
        REFUSED,
        /** The handler was still running when the drain gave up waiting for it. */
        STILL_RUNNING
    }

    /** Validates the parts. */
    public CallOutcome {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(description, "description");
    }

    @Override
    public String toString() {
        return method + ": " + kind + " (" + code + (description.isEmpty() ? "" : ": " + description) + ")"
                + (endedAfter == null ? "" : " after " + CallDeadline.format(endedAfter));
    }
}
