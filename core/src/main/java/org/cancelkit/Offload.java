package org.cancelkit;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where the timer hands work it must not do itself (a callback, a cancel action's escalation, the walk
 * of a large subtree): a pool of daemon <em>platform</em> threads, so that the work runs even when
 * CPU-bound virtual threads hold every carrier of the virtual-thread scheduler (a deadline's
 * {@code Statement.cancel()} must not wait for a carrier). Threads are made on demand and end after a
 * minute idle, so an idle process keeps none.
 */
final class Offload {
    private Offload() {}

    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(
            Math.max(2, Runtime.getRuntime().availableProcessors()), Math.max(2, Runtime.getRuntime().availableProcessors()),
            60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            r -> {
                Thread t = new Thread(null, r, "cancelkit-offload", 0, false);
                t.setDaemon(true);
                return t;
            });

    static {
        POOL.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code work} on an offload thread; a failure goes to that thread's uncaught-exception handler. */
    static void run(Runnable work) {
        POOL.execute(work);
    }
}
