package org.cancelkit;

import java.util.concurrent.locks.LockSupport;

/**
 * Library waits: park until a token is cancelled. A waiter is a listener that unparks its thread;
 * the wait is counted as parked on a virtual clock so tests can see it.
 */
final class Waits {
    private Waits() {}

    /**
     * Whether one wait is counted as parked on its clock. Taking the count back and telling the clock
     * are one step, under this object's monitor: a thread that finds the wait uncounted knows the clock
     * has heard of it. Without that, a waiter woken early (a spurious wake-up, after the cancel has
     * marked its token) could take the count back and be preempted before telling the clock; its waker
     * would then find nothing to do and return, and the clock, still counting the thread as parked,
     * could be moved past a deadline the thread was about to arm.
     *
     * <p>Fields: {@link #counted} is guarded by this object's monitor; the waiting thread and its wakers
     * take it.
     */
    static final class Count {
        private boolean counted;

        /** Counts the wait; the caller then tells the clock (+1). */
        synchronized void set() {
            counted = true;
        }

        /** Takes the count back and tells the clock (-1), once, whoever calls first. */
        synchronized void leave(MonotonicClock clock, boolean participant) {
            if (counted) {
                counted = false;
                clock.parked(-1, participant);
            }
        }
    }

    /**
     * Unparks a waiting thread. On a virtual clock it also stops counting the thread as parked, on the
     * waking side, so that a clock moved after the cancel returns never mistakes a woken thread for a
     * parked one ({@link Count}).
     */
    static final class Waiter extends Listener {
        final Thread thread = Thread.currentThread();
        final MonotonicClock clock;
        final Count counted;
        final boolean participant;

        Waiter(MonotonicClock clock, Count counted, boolean participant) {
            this.clock = clock;
            this.counted = counted;
            this.participant = participant;
        }

        @Override
        void fire(Cancel cancel) {
            counted.leave(clock, participant);
            LockSupport.unpark(thread);
        }

        @Override
        boolean fast() {
            return true;
        }
    }

    /**
     * Parks until {@code token} is cancelled. Also returns (by throwing) when the token this thread is
     * bound to is cancelled, soft or hard: every library wait is a cancellation point.
     */
    static void await(Node token) throws InterruptedException {
        await(token, true);
    }

    /**
     * Parks until {@code token} is cancelled.
     *
     * @param point whether this wait reports itself as a cancellation point (false when the caller
     *     already did)
     */
    static void await(Node token, boolean point) throws InterruptedException {
        await(token, point, true);
    }

    /**
     * Parks until {@code token} is cancelled.
     *
     * @param point whether this wait reports itself as a cancellation point
     * @param watchCurrent whether a cancel of the token this thread is bound to ends the wait (false
     *     for waits that must see their thing through, like a task group's join waiting for its tasks)
     */
    static void await(Node token, boolean point, boolean watchCurrent) throws InterruptedException {
        if (point) {
            CancellationPoints.reached();
        }
        if (token.isCancelled()) {
            return;
        }
        Node bound = Binding.currentToken();
        boolean watchBound = watchCurrent && bound != token && bound != Node.NEVER;
        if (watchBound) {
            bound.throwIfCancelled();
        }
        MonotonicClock clock = token.scope.clock;
        Count counted = new Count();
        // A participant is bound to the clock (MonotonicClock.call, startThread, a task): only its wait may let
        // an auto-advancing clock move; another thread waiting on the clock's tokens must not.
        boolean participant = MonotonicClock.current() == clock;
        Waiter w = new Waiter(clock, counted, participant);
        if (!token.add(w)) {
            return;
        }
        Waiter wb = null;
        if (watchBound) {
            wb = new Waiter(clock, counted, participant);
            if (!bound.add(wb)) {
                token.remove(w);
                bound.throwIfCancelled();
            }
        }
        // Counted before the increment: a waker that runs in between decrements first (net zero), and
        // an auto-advance triggered by the increment that wakes this wait sees it as woken.
        counted.set();
        clock.parked(1, participant); // may advance an auto-advancing clock, and so wake this very wait
        try {
            while (!token.isCancelled()) {
                if (watchBound) {
                    bound.throwIfCancelled();
                }
                if (Thread.currentThread().isInterrupted()) {
                    // A library interrupt comes after the cancel has marked the whole subtree (Node,
                    // invariant 6), so look again: the cancel may have landed since the checks above.
                    if (token.isCancelled()) {
                        break;
                    }
                    if (watchBound) {
                        bound.throwIfCancelled();
                    }
                    Thread.interrupted(); // not ours: the caller's own interrupt, reported as such
                    throw new InterruptedException("interrupted while waiting for cancellation");
                }
                LockSupport.park(token);
            }
        } finally {
            counted.leave(clock, participant);
            token.remove(w);
            if (wb != null) {
                bound.remove(wb);
            }
        }
    }

    /** Waits until {@code a} or {@code b} is cancelled, through interrupts; returns whether one came. */
    static boolean awaitEither(Node a, Node b, MonotonicClock clock) {
        boolean interrupted = false;
        Node wake = Node.root(clock, Scope.NONE);
        Registration ra = a.onCancel(wake::cancel);
        Registration rb = b.onCancel(wake::cancel);
        try {
            while (!a.isCancelled() && !b.isCancelled()) {
                try {
                    Waits.await(wake, false, false);
                } catch (InterruptedException e) {
                    interrupted = true; // keep to the grace period; the caller restores the flag
                }
            }
        } finally {
            ra.close();
            rb.close();
            wake.close();
        }
        return interrupted;
    }

    /** Joins {@code t}, through interrupts; returns whether one came (the caller restores the flag). */
    static boolean joinThread(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join(); // its body has ended: this returns at once
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting (C1); the caller restores the flag
            }
        }
    }
}
