package org.cancelkit.http;

import org.cancelkit.CancelEvent;

/**
 * A circuit breaker that a {@link DeadlineClient} uses changed state, as {@link org.cancelkit.CancelEvents}
 * listeners see it; the same emission point commits the Flight Recorder event
 * {@code org.cancelkit.http.BreakerStateChanged} (enabled by the shipped {@code cancelkit.jfc}). Reported
 * once per transition, however many clients share the breaker. Immutable and thread-safe.
 *
 * @param breaker the breaker's name
 * @param from the state it left ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, ...: Resilience4j's names)
 * @param to the state it entered
 */
public record BreakerStateChanged(String breaker, String from, String to) implements CancelEvent {
    @Override
    public String name() {
        return "org.cancelkit.http.BreakerStateChanged";
    }
}
