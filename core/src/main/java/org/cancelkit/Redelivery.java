package org.cancelkit;

import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

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
 *   <li>A binding is watched at most once: {@link Binding#claimWatch} lets the first delivery push it
 *       onto {@link #inbox} (a lock-free stack linked through {@link Binding#nextWatched}); the
 *       watcher alone moves it into its own list and drops it once it has exited, so the watcher holds
 *       only live regions.</li>
 *   <li>The watcher parks without a time limit while it holds nothing and the inbox is empty: it costs
 *       nothing while no cancelled region is running. {@link #watch} pushes before it reads
 *       {@link #idle}, and the watcher re-checks the inbox after publishing that it is going to park,
 *       so no wake-up is lost.</li>
 *   <li>The watcher survives any {@code Throwable} of its own; it reports it and goes on.</li>
 *   <li>A scan takes a binding's lock only when it finds the thread's status clear and the binding
 *       delivered, without it; {@link Binding#redeliver} checks both again under the lock. A herd of
 *       delivered regions that still have their status set therefore costs the scan two volatile
 *       reads each, and delivery itself one CAS.</li>
 * </ol>
 *
 * <p>The watcher is one daemon platform thread, so that it runs even when every carrier of the
 * virtual-thread scheduler is busy.
 */
final class Redelivery {
    private Redelivery() {}

    /** How often delivered bindings are looked at: the level-triggered bound is about one period. */
    static final long PERIOD_NANOS = 1_000_000L;

    /** Bindings delivered and not yet taken by the watcher (invariant 1). */
    private static final AtomicReference<@Nullable Binding> inbox = new AtomicReference<>();
    /** Written by the watcher, read by {@link #watch}: true while it is parked without a limit. */
    private static volatile boolean idle;
    private static volatile Thread watcher;

    static void watch(Binding b) {
        if (!b.claimWatch()) {
            return; // invariant 1: watched already
        }
        Binding head;
        do {
            head = inbox.get();
            b.nextWatched = head;
        } while (!inbox.compareAndSet(head, b));
        Thread w = watcher;
        if (w == null) {
            w = start();
        }
        if (idle) { // invariant 2: the push happened before this read
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
        ArrayList<Binding> held = new ArrayList<>(); // the watcher's own (invariant 1)
        while (true) {
            try {
                take(held);
                if (held.isEmpty()) {
                    idle = true;
                    if (inbox.get() == null) { // invariant 2: re-check after publishing idle
                        LockSupport.park(Redelivery.class);
                    }
                    idle = false;
                    continue;
                }
                LockSupport.parkNanos(Redelivery.class, PERIOD_NANOS);
                take(held);
                held.removeIf(b -> !b.redeliverIfClear());
            } catch (Throwable t) { // invariant 3
                Thread self = Thread.currentThread();
                self.getUncaughtExceptionHandler().uncaughtException(self, t);
            }
        }
    }

    private static void take(ArrayList<Binding> held) {
        for (Binding b = inbox.getAndSet(null); b != null; ) {
            Binding next = b.nextWatched;
            b.nextWatched = null;
            held.add(b);
            b = next;
        }
    }
}
