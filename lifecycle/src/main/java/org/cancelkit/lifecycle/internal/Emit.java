package org.cancelkit.lifecycle.internal;

import java.time.Duration;
import org.cancelkit.CancelEvents;
import org.cancelkit.lifecycle.LifecycleEvent;
import org.cancelkit.lifecycle.ShutdownReport;
import org.cancelkit.lifecycle.WorkerReport;
import org.cancelkit.lifecycle.internal.jfr.ShutdownEvent;
import org.cancelkit.lifecycle.internal.jfr.ShutdownPhaseEvent;
import org.cancelkit.lifecycle.internal.jfr.WorkerEndedEvent;

/**
 * The lifecycle module's emission points: each feeds the {@link CancelEvents} listeners and the Flight
 * Recorder event of the same name, and returns at once when neither is enabled. Stateless.
 */
final class Emit {
    private Emit() {}

    /** The shutdown begins: the Flight Recorder event, started (cheap when not enabled). */
    static ShutdownEvent shutdownStarted() {
        ShutdownEvent e = new ShutdownEvent();
        e.begin();
        return e;
    }

    /** The shutdown sent {@code worker} its soft cancel ({@code hard} false) or its hard cancel. */
    static void phase(String worker, boolean hard, long graceNanos, long at) {
        ShutdownPhaseEvent e = new ShutdownPhaseEvent();
        if (e.shouldCommit()) {
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
        WorkerEndedEvent e = new WorkerEndedEvent();
        if (e.shouldCommit()) {
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
    static void shutdownEnded(ShutdownEvent e, ShutdownReport r) {
        e.end();
        if (e.shouldCommit()) {
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
