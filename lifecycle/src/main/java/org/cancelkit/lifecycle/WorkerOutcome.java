package org.cancelkit.lifecycle;

/** How a worker ended, as a {@link ShutdownReport} tells it. */
public enum WorkerOutcome {
    /** Its body returned before it was asked to stop (nothing cancelled it). */
    ENDED_EARLY,
    /** It stopped after the soft cancel, within its grace: it was never interrupted. */
    STOPPED_IN_GRACE,
    /** It was still running when its grace passed (or a second signal came) and stopped after the hard cancel. */
    STOPPED_AFTER_HARD_CANCEL,
    /** Its body threw something other than the cancellation: the failure is in the report. */
    FAILED,
    /** It was still running when its wait after the hard cancel, or the budget, ran out: left running, stack reported. */
    ABANDONED;

    /**
     * Tells whether the worker stopped the way a graceful shutdown wants: on its own or within its grace.
     *
     * @return true for {@link #ENDED_EARLY} and {@link #STOPPED_IN_GRACE}
     */
    public boolean isGraceful() {
        return this == ENDED_EARLY || this == STOPPED_IN_GRACE;
    }
}
