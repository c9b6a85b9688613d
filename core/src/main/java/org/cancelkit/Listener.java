package org.cancelkit;

import java.util.ArrayList;
import java.util.List;
import org.cancelkit.internal.TimerEntry;

/**
 * Something linked to a {@link Node} that reacts to its cancellation: a callback, a waiter, or an
 * interruptor (a {@link Binding} or an {@link ActionRegion}) that stops running code by force and so
 * waits for the hard phase (Node, invariant 5).
 *
 * <p>A listener is in its node's one list beside the node's children, linked through its
 * {@link Link} fields (Node, invariant 2).
 */
abstract class Listener extends Link {

    /**
     * Returns true when this listener stops code by force, and so waits for the hard phase.
     *
     * @return true when this listener stops code by force, and so waits for the hard phase
     */
    boolean interruptor() {
        return false;
    }

    /**
     * Returns true when {@link #fire} only flips state, unparks or interrupts, and never blocks.
     *
     * @return true when {@link #fire} only flips state, unparks or interrupts, and never blocks
     */
    abstract boolean fast();

    /**
     * Reacts to the cancellation, once. Runs outside any node lock.
     *
     * @param cancel the cancellation
     */
    abstract void fire(Cancel cancel);

    /**
     * Runs each listener in its own {@code try} (C5); slow ones leave the timer thread. Many fast
     * ones (the bound threads of a large subtree) are shared with helper threads ({@link Spread});
     * every listener has run when this returns, except slow ones handed off the timer thread.
     */
    static void fireAll(List<Listener> released, Cancel c) {
        if (released.isEmpty()) {
            return;
        }
        boolean onTimer = TimerEntry.onTimerThread();
        if (released.size() < Spread.MIN) {
            fireEach(released, c, onTimer);
            return;
        }
        List<Listener> fast = new ArrayList<>(released.size());
        List<Listener> slow = new ArrayList<>();
        for (Listener l : released) {
            (l.fast() ? fast : slow).add(l);
        }
        Spread.fire(fast, c);
        fireEach(slow, c, onTimer);
    }

    /** Runs each listener here, except slow ones when on a timer thread: those go to an offload thread. */
    private static void fireEach(List<Listener> listeners, Cancel c, boolean onTimer) {
        if (listeners.isEmpty()) {
            return;
        }
        if (!onTimer) {
            for (Listener l : listeners) {
                fireOne(l, c);
            }
            return;
        }
        List<Listener> slow = null;
        for (Listener l : listeners) {
            if (l.fast()) {
                fireOne(l, c);
            } else {
                if (slow == null) {
                    slow = new ArrayList<>();
                }
                slow.add(l);
            }
        }
        if (slow != null) {
            List<Listener> later = slow;
            Offload.run(() -> later.forEach(l -> fireOne(l, c)));
        }
    }

    static void fireOne(Listener l, Cancel c) {
        try {
            l.fire(c);
        } catch (Throwable failure) {
            Thread self = Thread.currentThread();
            self.getUncaughtExceptionHandler().uncaughtException(self, failure);
        }
    }
}
