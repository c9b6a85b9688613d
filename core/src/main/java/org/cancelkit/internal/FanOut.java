package org.cancelkit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The system timer's helpers for a herd (SystemTimer, invariant 7): when thousands of deadlines fall
 * due together, firing them one after another on the timer thread would make the last one wait for all
 * the others (each fire cancels a token and interrupts a thread). The entries due are cut into
 * contiguous shares, earliest first; the timer fires the first share itself and each other share runs
 * on a helper, so that delivery proceeds on every core at once.
 *
 * <p>Helpers are daemon platform {@link SystemTimer.TimerThread}s, made on demand (one fewer than the
 * processors, at least one) and ended after a minute idle, so an idle process keeps none. Being timer
 * threads, they hand slow listeners and large subtree walks on as the timer does.
 */
public final class FanOut {
    private FanOut() {}

    private static final int HELPERS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(
            HELPERS, HELPERS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            r -> new SystemTimer.TimerThread(r, "cancelkit-timer-helper"));

    /** For tests: how many shares have been handed to helpers so far. */
    private static final AtomicLong handedOut = new AtomicLong();

    static {
        POOL.allowCoreThreadTimeOut(true);
    }

    /**
     * Returns how many shares have been handed to helpers since the class was loaded (for tests).
     *
     * @return how many shares have been handed to helpers since the class was loaded (for tests)
     */
    public static long sharesHandedOutForTesting() {
        return handedOut.get();
    }

    /** Fires {@code due} (in deadline order): the first share on this thread, the others on helpers. */
    static void fire(List<TimerEntry> due) {
        int shares = HELPERS + 1;
        int size = due.size();
        int per = (size + shares - 1) / shares;
        for (int from = per; from < size; from += per) {
            List<TimerEntry> share = new ArrayList<>(due.subList(from, Math.min(size, from + per)));
            handedOut.incrementAndGet();
            POOL.execute(() -> SystemTimer.fireAll(share));
        }
        SystemTimer.fireAll(due.subList(0, Math.min(size, per)));
    }
}
