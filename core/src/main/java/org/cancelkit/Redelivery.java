package org.cancelkit;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Level-triggered delivery: while a thread is bound to a token cancelled hard, outside any shield or
 * cancel-action region, every interruptible blocking call it makes is interrupted, not just the first.
 * The first interrupt is sent by the cancel; an {@code InterruptedException} then clears the status,
 * and a blocking call in a {@code catch} or {@code finally} would wait unnoticed. This watcher keeps
 * the status set: every {@link #PERIOD_NANOS} it looks at each delivered binding and interrupts its
 * thread again when the status is clear (Binding, invariant 4). A blocking call in unshielded cleanup
 * is therefore interrupted within about one period (the bound in DESIGN.md, C4).
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>{@link #watched} holds the bindings delivered and not yet found exited; the watcher removes
 *       each once it has exited, so the set holds only live regions.</li>
 *   <li>The watcher parks without a time limit while the set is empty: it costs nothing while no
 *       cancelled region is running. {@link #watch} adds before it unparks, and the watcher re-checks
 *       the set after publishing that it is going to park, so no wake-up is lost.</li>
 *   <li>The watcher survives any {@code Throwable} of its own; it reports it and goes on.</li>
 * </ol>
 *
 * <p>The watcher is one daemon platform thread, so that it runs even when every carrier of the
 * virtual-thread scheduler is busy.
 */
final class Redelivery {
    private Redelivery() {}

    /** How often delivered bindings are looked at: the level-triggered bound is about one period. */
    static final long PERIOD_NANOS = 1_000_000L;

    private static final Set<Binding> watched = ConcurrentHashMap.newKeySet();
    /** Written by the watcher, read by {@link #watch}: true while it is parked without a limit. */
    private static volatile boolean idle;
    private static volatile Thread watcher;

    static void watch(Binding b) {
        watched.add(b);
        Thread w = watcher;
        if (w == null) {
            w = start();
        }
        if (idle) { // invariant 2: the add happened before this read
            LockSupport.unpark(w);
        }
    }

    private static synchronized Thread start() {
        Thread w = watcher;
        if (w == null) {
            w = new Thread(null, Redelivery::loop, "cancelkit-redelivery", 0, false);
            w.setDaemon(true);
            watcher = w;
            w.start();
        }
        return w;
    }

    private static void loop() {
        while (true) {
            try {
                if (watched.isEmpty()) {
                    idle = true;
                    if (watched.isEmpty()) { // invariant 2: re-check after publishing idle
                        LockSupport.park(Redelivery.class);
                    }
                    idle = false;
                    continue;
                }
                LockSupport.parkNanos(Redelivery.class, PERIOD_NANOS);
                watched.removeIf(b -> !b.redeliver());
            } catch (Throwable t) { // invariant 3
                Thread self = Thread.currentThread();
                self.getUncaughtExceptionHandler().uncaughtException(self, t);
            }
        }
    }

    /** For tests: how many delivered regions are being watched now. */
    static int watchedCount() {
        return watched.size();
    }
}
