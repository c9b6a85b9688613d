package org.cancelkit.jetty;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.cancelkit.http.DeadlineHeader;

/**
 * What {@link DeadlineHandler} does with a request, decided from its {@value DeadlineHeader#NAME}
 * lines and the server's maximum alone (no Jetty, no clock), so the decision can be checked on any
 * input by itself.
 *
 * <p>Invariant: a {@link Run}'s budget is positive and never longer than the maximum; every other
 * outcome is a {@link Refuse} with a status of 400 or 504 and a message of bounded length.
 */
sealed interface Admission {

    /**
     * Run the handler with this much time.
     *
     * @param budget the time the request has, from now: the earlier of the caller's and the maximum
     * @param byMaximum true when the server's maximum set it (no header, or a later one)
     */
    record Run(Duration budget, boolean byMaximum) implements Admission {}

    /**
     * Answer at once, without running the handler.
     *
     * @param status 400 for a malformed header, 504 for a deadline that had passed on arrival
     * @param message what was wrong, for the response body
     */
    record Refuse(int status, String message) implements Admission {}

    /**
     * Decides.
     *
     * @param fieldValues the values of the request's header lines, in any order
     * @param maximum the server's maximum, positive
     * @return what to do
     */
    static Admission of(List<String> fieldValues, Duration maximum) {
        Optional<Duration> caller;
        try {
            caller = DeadlineHeader.earliest(fieldValues);
        } catch (IllegalArgumentException e) {
            return new Refuse(400, String.valueOf(e.getMessage()));
        }
        if (caller.isEmpty() || caller.get().compareTo(maximum) > 0) {
            return new Run(maximum, true);
        }
        if (caller.get().isZero()) {
            return new Refuse(504, "the caller's deadline (" + DeadlineHeader.NAME
                    + ": 0) had passed when the request arrived");
        }
        return new Run(caller.get(), false);
    }
}
