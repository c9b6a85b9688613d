package org.cancelkit;

import org.cancelkit.internal.SystemTimer;
import org.cancelkit.internal.Timer;

/** The system clock: {@link System#nanoTime()} and the one system timer thread. */
final class SystemClock extends MonotonicClock {
    static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {}

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    Timer timer() {
        return SystemTimer.INSTANCE;
    }

    @Override
    public String toString() {
        return "MonotonicClock.system()";
    }
}
