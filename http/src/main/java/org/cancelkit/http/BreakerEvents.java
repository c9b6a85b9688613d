package org.cancelkit.http;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import jdk.jfr.FlightRecorder;
import org.cancelkit.CancelEvents;
import org.cancelkit.http.internal.jfr.BreakerStateChangedEvent;

/**
 * The http module's emission point: every breaker a client is given is watched once (a breaker shared by
 * many clients reports each transition once), and each transition feeds the {@link CancelEvents}
 * listeners and the Flight Recorder event of the same name. Thread-safe.
 */
final class BreakerEvents {
    /** Breakers already watched; weak, so a breaker no client uses any more is not kept. */
    private static final Set<CircuitBreaker> WATCHED = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    private BreakerEvents() {}

    static void watch(CircuitBreaker breaker) {
        if (WATCHED.add(breaker)) {
            breaker.getEventPublisher().onStateTransition(BreakerEvents::changed);
        }
    }

    private static void changed(CircuitBreakerOnStateTransitionEvent e) {
        String from = e.getStateTransition().getFromState().name();
        String to = e.getStateTransition().getToState().name();
        // No JFR class is touched while the recorder does not run: their first use costs some 100 ms.
        BreakerStateChangedEvent jfr = FlightRecorder.isInitialized() ? new BreakerStateChangedEvent() : null;
        if (jfr != null && jfr.shouldCommit()) {
            jfr.breaker = e.getCircuitBreakerName();
            jfr.from = from;
            jfr.to = to;
            jfr.commit();
        }
        if (CancelEvents.isObserved()) {
            CancelEvents.publish(new BreakerStateChanged(e.getCircuitBreakerName(), from, to));
        }
    }
}
