package org.cancelkit;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a cancel-action region does on cancellation instead of interrupting its thread (C9): an
 * action, and optionally an escalation that runs if the body is still inside the region a grace
 * period after the action.
 *
 * {@snippet :
 * CancelAction onCancel = CancelAction.of(statement::cancel)                       // stops the query on the server
 *         .withEscalation(Duration.ofSeconds(2), () -> connection.abort(executor)); // last resort
 * ResultSet rs = Cancellation.withCancelAction(onCancel, statement::executeQuery);
 * }
 *
 * @param action runs once on cancellation, on the cancelling thread (never on the timer thread)
 * @param grace how long after the action the body may stay inside before the escalation runs
 * @param escalation runs once if the body is still inside after the grace; null for none
 */
public record CancelAction(Runnable action, Duration grace, @Nullable Runnable escalation) {

    /** Validates the parts. */
    public CancelAction {
        Objects.requireNonNull(action, "action");
        Durations.requireTimeout(grace, "grace");
    }

    /**
     * An action without escalation.
     *
     * @param action what to run on cancellation
     * @return the cancel action
     */
    public static CancelAction of(Runnable action) {
        return new CancelAction(action, Duration.ZERO, null);
    }

    /**
     * A copy with an escalation.
     *
     * @param grace how long to wait after the action
     * @param escalation what to run then if the body is still inside
     * @return the copy
     */
    public CancelAction withEscalation(Duration grace, Runnable escalation) {
        return new CancelAction(action, grace, Objects.requireNonNull(escalation, "escalation"));
    }
}
