package org.cancelkit;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Parallel delivery of many fast listeners (Node, invariant 8): a cancel that releases thousands of
 * bound threads (a task group's forks, a large subtree) would otherwise interrupt them one after
 * another on the cancelling thread. The listeners are cut into chunks of {@value #CHUNK}; the
 * cancelling thread and up to {@link #HELPERS} offload threads claim chunks from one counter until none
 * is left, and the cancelling thread then waits only for the chunks already claimed, which are being
 * fired by running threads.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>Each chunk is claimed by exactly one thread (one {@code getAndIncrement}), so each listener
 *       runs exactly once (C5).</li>
 *   <li>When {@link #fire} returns, every listener has run: the caller claims until the counter is
 *       exhausted and then waits for {@link Job#finished} to reach the number of chunks. It never waits
 *       for a helper that has not started: a helper that starts late finds nothing left to claim.
 *       So a caller on an offload thread cannot deadlock with helpers queued behind it.</li>
 *   <li>Only fast listeners are spread (they never block; {@link Listener#fast()}); slow ones stay
 *       where {@link Listener#fireAll} puts them.</li>
 * </ol>
 */
final class Spread {
    private Spread() {}

    /** Released listeners from which delivery is shared. */
    static final int MIN = 256;
    static final int CHUNK = 64;
    static final int HELPERS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

    /** One delivery: the listeners, the next chunk to claim, and how many chunks have been fired. */
    private static final class Job {
        final List<Listener> listeners;
        final Cancel cancel;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();

        Job(List<Listener> listeners, Cancel cancel) {
            this.listeners = listeners;
            this.cancel = cancel;
            this.chunks = (listeners.size() + CHUNK - 1) / CHUNK;
        }

        /** Claims and fires chunks until none is left (invariant 1). */
        void work() {
            for (int k; (k = next.getAndIncrement()) < chunks; ) {
                try {
                    int to = Math.min(listeners.size(), (k + 1) * CHUNK);
                    for (int i = k * CHUNK; i < to; i++) {
                        Listener.fireOne(listeners.get(i), cancel);
                    }
                } finally {
                    finished.incrementAndGet();
                }
            }
        }
    }

    /** Fires every listener of {@code fast} (all fast) exactly once; returns when all have run. */
    static void fire(List<Listener> fast, Cancel c) {
        if (fast.isEmpty()) {
            return;
        }
        Job job = new Job(fast, c);
        for (int h = Math.min(HELPERS, job.chunks - 1); h > 0; h--) {
            Offload.run(job::work);
        }
        job.work();
        int spins = 0;
        while (job.finished.get() < job.chunks) { // invariant 2: only chunks claimed by running threads
            if (++spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }
}
