package org.cancelkit;

/** How a task of a {@link TaskGroup} ended. */
public enum TaskOutcome {
    /** The body returned, and the task was not cancelled before it did. */
    COMPLETED,
    /** The body threw an exception of its own. */
    FAILED,
    /** The group was cancelled before the task's body started: it never ran. */
    CANCELLED_BEFORE_START,
    /** The body was running when the task was cancelled, and ended because of it. */
    CANCELLED_WHILE_RUNNING,
    /** The task was cancelled while running but its body returned normally anyway. */
    COMPLETED_AFTER_CANCEL,
    /** The task ignored the cancel for longer than {@link TaskGroup#close(java.time.Duration)} allowed. */
    ABANDONED;

    /**
     * Tells whether the body produced a value.
     *
     * @return true for {@link #COMPLETED} and {@link #COMPLETED_AFTER_CANCEL}
     */
    public boolean isSuccess() {
        return this == COMPLETED || this == COMPLETED_AFTER_CANCEL;
    }

    /**
     * Tells whether the task was stopped by a cancel.
     *
     * @return true for {@link #CANCELLED_BEFORE_START} and {@link #CANCELLED_WHILE_RUNNING}
     */
    public boolean isCancelled() {
        return this == CANCELLED_BEFORE_START || this == CANCELLED_WHILE_RUNNING;
    }
}
