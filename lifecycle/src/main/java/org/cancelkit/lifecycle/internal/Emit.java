package org.cancelkit.lifecycle.internal;

import java.time.Duration;
import org.cancelkit.CancelEvents;
import org.cancelkit.lifecycle.LifecycleEvent;
import org.cancelkit.lifecycle.ShutdownReport;
import org.cancelkit.lifecycle.WorkerReport;
import org.cancelkit.lifecycle.internal.jfr.ShutdownEvent;
import org.cancelkit.lifecycle.internal.jfr.ShutdownPhaseEvent;
import org.cancelkit.lifecycle.internal.jfr.WorkerEndedEvent;
import jdk.jfr.FlightRecorder;
import org.jspecify.annotations.Nullable;

/**
 * The lifecycle module's emission points: each feeds the {@link CancelEvents} listeners and the Flight
 * Recorder event of the same name, and returns at once when neither is enabled. Stateless.
 */
final class Emit {
    private Emit() {}

    /**
     * The shutdown begins: the Flight Recorder event, started; null while the recorder does not run in
     * this process (no JFR class is touched then: their first use costs some 100 ms).
     */
    static @Nullable ShutdownEvent shutdownStarted() {
        if (!FlightRecorder.isInitialized()) {
            return null;
        }
        ShutdownEvent e = new ShutdownEvent();
        e.begin();
        return e;
    }

    /** The shutdown sent {@code worker} its soft cancel ({@code hard} false) or its hard cancel. */
    static void phase(String worker, boolean hard, long graceNanos, long at) {
        ShutdownPhaseEvent e = FlightRecorder.isInitialized() ? new ShutdownPhaseEvent() : null;
        if (e != null && e.shouldCommit()) {
            e.worker = worker;
            e.phase = hard ? "hard" : "soft";
            e.grace = graceNanos;
            e.commit();
        }
        if (CancelEvents.isObserved()) {
            CancelEvents.publish(new LifecycleEvent.ShutdownPhase(worker, hard, Duration.ofNanos(graceNanos), at));
        }
    }

    /** A worker's report is written. */
    static void workerEnded(WorkerReport r) {
        WorkerEndedEvent e = FlightRecorder.isInitialized() ? new WorkerEndedEvent() : null;
        if (e != null && e.shouldCommit()) {
            e.worker = r.path();
            e.outcome = r.outcome().name();
            e.stopTime = r.stopTime().toNanos();
            e.ran = r.ran().toNanos();
            e.commit();
        }
        if (CancelEvents.isObserved()) {
            CancelEvents.publish(new LifecycleEvent.WorkerEnded(r));
        }
    }

    /** The shutdown begun as {@code e} ended with {@code r}. */
    static void shutdownEnded(@Nullable ShutdownEvent e, ShutdownReport r) {
        if (e != null) {
            e.end();
        }
        if (e != null && e.shouldCommit()) {
            e.application = r.application();
            e.reason = r.reason();
            e.budget = Shutdown.saturatedNanos(r.budget());
            e.graceful = r.workers().stream().allMatch(w -> w.outcome().isGraceful());
            e.escalated = r.escalation().isPresent();
            e.commit();
        }
        if (CancelEvents.isObserved()) {
            CancelEvents.publish(new LifecycleEvent.ShutdownEnded(r));
        }
    }
}
