package org.cancelkit;

import org.cancelkit.internal.Timer;

/**
 * The one monotonic clock behind every deadline, sleep and timer in cancelkit.
 *
 * <p>Code uses {@link #current()}: the system clock, unless a {@link VirtualClock} has been bound for
 * the running code with {@link VirtualClock#call}. A token takes its clock when its tree is created
 * and keeps it; every deadline in one tree is on one clock.
 *
 * <p>Thread-safe.
 */
public abstract sealed class MonotonicClock permits SystemClock, VirtualClock {
    static final ScopedValue<MonotonicClock> BOUND = ScopedValue.newInstance();

    MonotonicClock() {}

    /**
     * Returns the system clock, {@link System#nanoTime()}.
     *
     * @return the system clock, {@link System#nanoTime()}
     */
    public static MonotonicClock system() {
        return SystemClock.INSTANCE;
    }

    /**
     * Returns the clock bound for the running code, or the system clock.
     *
     * @return the clock bound for the running code, or the system clock
     */
    public static MonotonicClock current() {
        return BOUND.orElse(SystemClock.INSTANCE);
    }

    /**
     * Reads the clock. Only differences between readings mean anything.
     *
     * @return the reading in nanoseconds
     */
    public abstract long nanoTime();

    /**
     * Returns the timer that fires deadlines on this clock.
     *
     * @return the timer that fires deadlines on this clock
     */
    abstract Timer timer();

    /**
     * Counts a thread entering (+1) or leaving (-1) a library wait on this clock; only a virtual clock
     * cares. {@code participant}: the thread is bound to this clock (auto-advance counts only those).
     */
    void parked(int delta, boolean participant) {}

    /** Counts a thread starting (+1) or ending (-1) its part in the code under test; only a virtual clock cares. */
    void participants(int delta) {}
}
