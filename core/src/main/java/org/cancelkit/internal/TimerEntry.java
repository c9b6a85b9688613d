package org.cancelkit.internal;

import org.jspecify.annotations.Nullable;

/**
 * One armed deadline. The arming thread creates it and hands it to a {@link Timer}; the timer calls
 * {@link #fire()} once the deadline has passed unless {@link #isRetired()} says the entry is no longer
 * wanted. Disarming is therefore free: the owner retires the entry by its own state change (for a
 * token, being cancelled or closed), and the timer drops retired entries when it next sees them.
 *
 * <p>Thread-safety: {@link #deadline} is final; {@link #next} is written by the arming thread before
 * the entry is published by a CAS in the timer's inbox and read by the timer thread after it took the
 * entry out again, so the CAS orders both.
 */
public abstract class TimerEntry {
    /** The deadline, in nanoseconds of the clock whose timer holds this entry. */
    protected final long deadline;
    /** Inbox link; see the class comment for who writes and reads it. */
    @Nullable TimerEntry next;

    /**
     * Creates an entry.
     *
     * @param deadline the deadline in nanoseconds of the owning clock
     */
    protected TimerEntry(long deadline) {
        this.deadline = deadline;
    }

    /**
     * Returns the deadline in nanoseconds of the owning clock.
     *
     * @return the deadline in nanoseconds of the owning clock
     */
    public final long deadline() {
        return deadline;
    }

    /**
     * Returns true once the owner no longer wants the entry to fire.
     *
     * @return true once the owner no longer wants the entry to fire
     */
    protected abstract boolean isRetired();

    /**
     * Called by the timer once the deadline has passed. On the system timer this runs on the timer
     * thread: it must not block, and must hand any user code to another thread.
     */
    protected abstract void fire();

    /**
     * Returns true when this entry fires on a dedicated timer thread that must never block.
     *
     * @return true when this entry fires on a dedicated timer thread that must never block
     */
    public static boolean onTimerThread() {
        return Thread.currentThread() instanceof SystemTimer.TimerThread;
    }
}
