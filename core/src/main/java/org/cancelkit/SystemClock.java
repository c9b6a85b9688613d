package org.cancelkit;

import org.cancelkit.internal.SystemTimer;

/** The system clock: {@link System#nanoTime()} and the one system timer thread. */
final class SystemClock extends MonotonicClock {
    static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {
        super(SystemTimer.INSTANCE);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public String toString() {
        return "MonotonicClock.system()";
    }
}
