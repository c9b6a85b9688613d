package org.cancelkit.races;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A deliberately broken token for the negative controls: every race test runs its checker once on
 * this class and asserts that the checker reports the forbidden outcome. It has the shape of the real
 * token (a tree, reasons, callbacks, a deadline, a thread binding with a shield) and the classic
 * mistakes, each a non-atomic check-then-act on volatile fields; its lists are thread-safe, so the
 * only failures it can produce are the ones below:
 * <ul>
 *   <li>{@link #cancel}: checks the flag, then sets it — two cancellers can both win, each with its
 *       own reason, and a losing canceller returns at once while the winner is still walking the
 *       tree; the flag is set before the reason, so {@link #isCancelled()} can be true with no
 *       reason.</li>
 *   <li>{@link #child()} and {@link #onCancel}: check the flag, then add to the list — a cancel in
 *       between never sees the new child or callback.</li>
 *   <li>{@link Registration#unregister()} removes from the list that a cancel has already copied,
 *       and says "removed" although the callback is about to run.</li>
 *   <li>{@link #cancel} checks whether the bound thread is shielded, then interrupts it — a shield
 *       entered in between is interrupted.</li>
 *   <li>{@link #leaky()} makes one whose {@link #run} leaves that interrupt on the thread.</li>
 *   <li>{@link #close()} and {@link #expire()} are that same {@link #cancel}, with {@link #CLOSED} and
 *       {@link #DEADLINE}: both can win, and a callback can run twice.</li>
 * </ul>
 *
 * <p>Thread-safety: deliberately not.
 */
final class ToyToken {
    static final Object DEADLINE = "toy deadline";
    static final Object CLOSED = "toy closed";

    private final CopyOnWriteArrayList<ToyToken> children = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Runnable> callbacks = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;
    private volatile Object reason;
    /** The thread running {@link #run}, if any. */
    private volatile Thread bound;
    /** True while the bound thread is inside {@link #shielded}. */
    private volatile boolean shieldActive;
    /** False for a toy whose {@link #run} leaves its own interrupt on the thread. */
    private final boolean clearsItsInterrupt;

    ToyToken() {
        this(true);
    }

    private ToyToken(boolean clearsItsInterrupt) {
        this.clearsItsInterrupt = clearsItsInterrupt;
    }

    /** A toy whose {@link #run} also forgets to clear the interrupt it sent. */
    static ToyToken leaky() {
        return new ToyToken(false);
    }

    ToyToken child() {
        ToyToken c = new ToyToken();
        if (cancelled) {
            c.cancel(reason);
        } else {
            children.add(c);
        }
        return c;
    }

    boolean cancel(Object why) {
        if (cancelled) {
            return false;
        }
        cancelled = true;
        reason = why;
        Thread t = bound;
        if (t != null && !shieldActive) {
            t.interrupt();
        }
        for (ToyToken c : children) {
            c.cancel(why);
        }
        for (Runnable r : callbacks) {
            r.run();
        }
        return true;
    }

    /** The toy's deadline firing: a cancel with {@link #DEADLINE}. */
    void expire() {
        cancel(DEADLINE);
    }

    /** The toy's close: a cancel with {@link #CLOSED}. */
    void close() {
        cancel(CLOSED);
    }

    boolean isCancelled() {
        return cancelled;
    }

    Object reason() {
        return reason;
    }

    Registration onCancel(Runnable callback) {
        if (cancelled) {
            callback.run();
        } else {
            callbacks.add(callback);
        }
        return () -> callbacks.remove(callback);
    }

    /** Runs {@code body} bound to this token: a cancel interrupts the thread unless it is shielded. */
    void run(Runnable body) {
        bound = Thread.currentThread();
        try {
            body.run();
        } finally {
            bound = null;
            if (clearsItsInterrupt) {
                Thread.interrupted(); // clears also an interrupt that was not the toy's; fine for a toy
            }
        }
    }

    /** Runs {@code body} shielded from this token's cancel. */
    void shielded(Runnable body) {
        boolean saved = Thread.interrupted();
        shieldActive = true;
        try {
            body.run();
        } finally {
            shieldActive = false;
            if (saved) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What code inside {@link #run} sees as "the current token is cancelled". */
    boolean currentIsCancelled() {
        return !shieldActive && cancelled;
    }

    /** A toy registration. */
    interface Registration {
        boolean unregister();
    }
}
