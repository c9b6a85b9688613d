package org.cancelkit.lifecycle;

import java.time.Duration;
import org.cancelkit.CancelEvent;

/**
 * What a graceful shutdown did, as {@link org.cancelkit.CancelEvents} listeners see it; the same
 * emission points commit the Flight Recorder events named by {@link #name()} (enabled by the shipped
 * {@code cancelkit.jfc}). Immutable and thread-safe; no component is null.
 */
public sealed interface LifecycleEvent extends CancelEvent {

    /**
     * The shutdown sent a worker its soft cancel (with a grace period) or its hard cancel:
     * {@code org.cancelkit.lifecycle.ShutdownPhase}.
     *
     * @param worker the worker's path
     * @param hard false for the soft cancel, true for the hard one
     * @param grace the grace given with the soft cancel (zero for the hard one)
     * @param at when, on the application's clock
     */
    record ShutdownPhase(String worker, boolean hard, Duration grace, long at) implements LifecycleEvent {
        @Override
        public String name() {
            return "org.cancelkit.lifecycle.ShutdownPhase";
        }
    }

    /**
     * How a worker ended in a shutdown: {@code org.cancelkit.lifecycle.WorkerEnded}.
     *
     * @param report the worker's report
     */
    record WorkerEnded(WorkerReport report) implements LifecycleEvent {
        @Override
        public String name() {
            return "org.cancelkit.lifecycle.WorkerEnded";
        }
    }

    /**
     * A shutdown ended: {@code org.cancelkit.lifecycle.Shutdown}.
     *
     * @param report its report
     */
    record ShutdownEnded(ShutdownReport report) implements LifecycleEvent {
        @Override
        public String name() {
            return "org.cancelkit.lifecycle.Shutdown";
        }
    }
}
