package org.cancelkit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.cancelkit.internal.TimerEntry;
import org.jspecify.annotations.Nullable;

/**
 * The cancellation tree: how tokens link their listeners and how a cancel travels.
 *
 * <h2>Shape</h2>
 * A token's {@code head} is {@code null} (no listener yet), a single {@link Link} (the common case: a
 * timeout's one thread binding, linked and unlinked by CAS without a lock), a {@code Stripe[]} (the
 * listeners spread over stripes chosen by the adding thread's id, each stripe a doubly linked list
 * guarded by its own monitor, so threads hanging children on one hot parent do not serialise), or
 * {@link #CLOSED} once the token is cancelled.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>A token's {@code state} goes from {@code null} to a {@link Cancel} exactly once (CAS); the
 *       reason never changes afterwards (C2: sticky, one reason).</li>
 *   <li>The canceller sets {@code state} <em>before</em> it closes the list ({@code head} to
 *       {@link #CLOSED}, every stripe {@code closed}). A link added to a list that is not closed will
 *       therefore be found by the canceller; an adder that finds the list closed runs the listener
 *       itself. No listener is lost and none runs twice.</li>
 *   <li>A closed stripe never changes again: unlinking from it is a no-op, so the canceller may walk
 *       a detached chain without holding the monitor.</li>
 *   <li>A cancel marks the whole subtree (depth first, with an explicit stack: a 10,000-deep chain
 *       does not overflow) before it runs any listener, and then sets {@link Cancel#propagated}. A
 *       late {@code cancel()} of any token in the subtree waits for that flag, so when any
 *       {@code cancel()} returns, every descendant reports cancelled (C2).</li>
 *   <li>Cancelling a token never touches its parent or siblings: the walk goes down only.</li>
 *   <li>Listeners run after marking, each at most once, each in its own {@code try}: one failure
 *       does not stop the others (C5). On the timer thread only {@link Link#fast()} listeners run
 *       inline; the rest run on one new virtual thread.</li>
 * </ol>
 * <p>Lock order: a stripe monitor is never held while another is taken, nor while a listener runs.
 */
final class TokenTree {
    private TokenTree() {}

    static final Object CLOSED = new Object() {
        @Override
        public String toString() {
            return "CLOSED";
        }
    };

    private static final VarHandle STATE;
    private static final VarHandle HEAD;
    private static final VarHandle HOME;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Link.Stripe[].class);
    private static final int STRIPES;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(CancellationToken.class, "state", Object.class);
            HEAD = l.findVarHandle(CancellationToken.class, "head", Object.class);
            HOME = l.findVarHandle(Link.class, "home", Link.Stripe.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1)) << 1;
        STRIPES = Math.min(32, Math.max(2, n));
    }

    // ------------------------------------------------------------------ listener lists

    /**
     * Adds {@code l} to {@code owner}'s list.
     *
     * @return false when the owner is already cancelled (the link was not added, by invariant 2)
     */
    static boolean link(CancellationToken owner, Link l) {
        // A child token must always know its stripe (it finds its parent through it), so only other
        // listeners may sit directly in the head.
        boolean direct = !(l instanceof CancellationToken);
        while (true) {
            Object h = HEAD.getAcquire(owner);
            if (h == CLOSED) {
                return false;
            }
            if (h == null && !direct) {
                Link.Stripe[] fresh = new Link.Stripe[STRIPES];
                if (!HEAD.compareAndSet(owner, null, fresh)) {
                    continue;
                }
                h = fresh;
            }
            if (h == null) {
                if (HEAD.compareAndSet(owner, null, l)) {
                    return true;
                }
                continue;
            }
            Link.Stripe[] stripes;
            if (h instanceof Link.Stripe[] s) {
                stripes = s;
            } else {
                stripes = upgrade(owner, (Link) h);
                if (stripes == null) {
                    continue;
                }
            }
            return linkStriped(owner, stripes, l);
        }
    }

    /**
     * Moves the single direct link into a new stripe array; null when the head changed meanwhile or
     * another thread is moving it (the caller retries).
     *
     * <p>Fix: two threads upgrading at once used to both write {@code single.home}; the loser reset the
     * winner's value to null, and the link's unlink then spun for ever (found by the benchmarks). Only
     * the thread that claims {@code home} by CAS may move the link, and it resets {@code home} only
     * when its own move failed, that is when the link has left the head (unlinked or closed).
     */
    private static Link.Stripe @Nullable [] upgrade(CancellationToken owner, Link single) {
        Link.Stripe[] stripes = new Link.Stripe[STRIPES];
        Link.Stripe s = new Link.Stripe(owner, false);
        stripes[slot()] = s;
        synchronized (s) {
            if (!HOME.compareAndSet(single, null, s)) {
                return null; // someone else is moving it
            }
            s.first = single;
            if (HEAD.compareAndSet(owner, single, stripes)) {
                return stripes;
            }
            s.first = null;
            single.home = null; // it left the head: in no list now
            return null;
        }
    }

    private static boolean linkStriped(CancellationToken owner, Link.Stripe[] stripes, Link l) {
        int i = slot();
        Link.Stripe s = (Link.Stripe) SLOT.getAcquire(stripes, i);
        if (s == null) {
            Link.Stripe fresh = new Link.Stripe(owner, false);
            s = SLOT.compareAndSet(stripes, i, null, fresh) ? fresh : (Link.Stripe) SLOT.getAcquire(stripes, i);
        }
        assert s != null : "a stripe slot is never reset to null";
        synchronized (s) {
            if (s.closed) {
                return false;
            }
            l.home = s;
            l.prev = null;
            l.next = s.first;
            if (s.first != null) {
                s.first.prev = l;
            }
            s.first = l;
            return true;
        }
    }

    private static int slot() {
        return (int) Thread.currentThread().threadId() & (STRIPES - 1);
    }

    /**
     * Removes {@code l} from {@code owner}'s list.
     *
     * @return true when it was removed; false when the canceller has taken it (it has run or will)
     */
    static boolean unlink(CancellationToken owner, Link l) {
        while (true) {
            Link.Stripe s = l.home;
            if (s == null) {
                if (HEAD.compareAndSet(owner, l, null)) {
                    return true;
                }
                if (l.home != null) {
                    continue; // an upgrade moved it into a stripe (home is set before the head moves)
                }
                return false; // the canceller took it, or it is in no list
            }
            synchronized (s) {
                if (l.home != s) {
                    continue; // an upgrade that claimed it failed and let go: look again
                }
                if (s.closed) {
                    return false; // invariant 3
                }
                if (l.prev == null) {
                    if (s.first != l) {
                        return false;
                    }
                    s.first = l.next;
                } else {
                    l.prev.next = l.next;
                }
                if (l.next != null) {
                    l.next.prev = l.prev;
                }
                l.prev = null;
                l.next = null;
                return true;
            }
        }
    }

    /** Closes {@code t}'s list (invariant 2) and appends what it held to {@code out}. */
    private static void closeList(CancellationToken t, List<Link> out) {
        Object h = HEAD.getAndSet(t, CLOSED);
        if (h == null || h == CLOSED) {
            return;
        }
        if (!(h instanceof Link.Stripe[] stripes)) {
            out.add((Link) h);
            return;
        }
        for (int i = 0; i < stripes.length; i++) {
            Link.Stripe s = (Link.Stripe) SLOT.getAndSet(stripes, i, CLOSED_STRIPE);
            if (s == null) {
                continue;
            }
            Link first;
            synchronized (s) {
                s.closed = true;
                first = s.first;
            }
            for (Link l = first; l != null; l = l.next) { // invariant 3: safe without the monitor
                out.add(l);
            }
        }
    }

    private static final Link.Stripe CLOSED_STRIPE = new Link.Stripe(CancellationToken.NEVER, true);

    // ------------------------------------------------------------------ cancel

    /**
     * Cancels {@code t} and its subtree.
     *
     * @param graceNanos negative for a hard cancel; else the grace before interrupts (a soft cancel)
     * @return true when this call cancelled {@code t}
     */
    static boolean cancel(CancellationToken t, CancelReason reason, long graceNanos) {
        boolean hard = graceNanos < 0;
        Cancel c = new Cancel(reason, t, hard);
        if (!STATE.compareAndSet(t, null, c)) {
            Cancel existing = (Cancel) STATE.getAcquire(t);
            existing.awaitPropagated(); // invariant 4
            if (hard && !existing.hard) {
                existing.hardenWithin(t);
            } else if (!hard && !existing.isHardFor(t)) {
                // Fix: a second soft cancel with its own grace used to be ignored, so t stayed soft
                // for the rest of the first one's grace (C8: after its grace it behaves as hard).
                scheduleHardening(t, existing, graceNanos);
            }
            return false;
        }
        propagate(t, c);
        if (!hard) {
            scheduleHardening(t, c, graceNanos);
        }
        return true;
    }

    /** Fires {@code t}'s own deadline. Called by a timer. */
    static void expire(CancellationToken t) {
        cancel(t, CancelReason.deadline(t), -1);
    }

    private static void propagate(CancellationToken root, Cancel c) {
        if (HEAD.compareAndSet(root, null, CLOSED)) {
            c.propagated = true; // nothing listens: the common end of a timeout whose body returned
            return;
        }
        ArrayList<Link> links = new ArrayList<>();
        ArrayList<Link> toRun = new ArrayList<>();
        List<CancellationToken> softInside = null;
        ArrayDeque<CancellationToken> stack = null;
        CancellationToken t = root;
        while (t != null) {
            closeList(t, links);
            for (Link l : links) {
                if (l instanceof CancellationToken child) {
                    if (STATE.compareAndSet(child, null, c)) {
                        if (stack == null) {
                            stack = new ArrayDeque<>();
                        }
                        stack.push(child);
                    } else {
                        Cancel other = (Cancel) STATE.getAcquire(child);
                        other.awaitPropagated(); // nested subtrees: terminates by depth
                        if (c.hard && !other.hard) {
                            if (softInside == null) {
                                softInside = new ArrayList<>();
                            }
                            softInside.add(child);
                        }
                    }
                } else {
                    toRun.add(l);
                }
            }
            links.clear();
            t = stack == null ? null : stack.poll();
        }
        c.propagated = true; // invariant 4
        if (softInside != null) {
            for (CancellationToken s : softInside) {
                ((Cancel) STATE.getAcquire(s)).hardenWithin(s);
            }
        }
        runListeners(toRun, c);
    }

    private static void runListeners(List<Link> toRun, Cancel c) {
        if (toRun.isEmpty()) {
            return;
        }
        if (TimerEntry.onTimerThread()) {
            List<Link> slow = null;
            for (Link l : toRun) {
                if (l.fast()) {
                    runOne(l, c);
                } else {
                    if (slow == null) {
                        slow = new ArrayList<>();
                    }
                    slow.add(l);
                }
            }
            if (slow != null) {
                List<Link> later = slow;
                Thread.ofVirtual().name("cancelkit-callbacks").start(() -> later.forEach(l -> runOne(l, c)));
            }
            return;
        }
        for (Link l : toRun) {
            runOne(l, c);
        }
    }

    /** Delivers interruptors released by a hardening; slow ones leave the timer thread. */
    static void deliverAll(List<Interruptor> list) {
        if (!TimerEntry.onTimerThread()) {
            list.forEach(TokenTree::deliverOne);
            return;
        }
        List<Interruptor> slow = new ArrayList<>();
        for (Interruptor i : list) {
            if (i.fast()) {
                deliverOne(i);
            } else {
                slow.add(i);
            }
        }
        if (!slow.isEmpty()) {
            Thread.ofVirtual().name("cancelkit-callbacks").start(() -> slow.forEach(TokenTree::deliverOne));
        }
    }

    private static void deliverOne(Interruptor i) {
        try {
            i.deliver();
        } catch (Throwable failure) {
            Thread self = Thread.currentThread();
            self.getUncaughtExceptionHandler().uncaughtException(self, failure);
        }
    }

    static void runOne(Link l, Cancel c) {
        try {
            l.onCancel(c);
        } catch (Throwable failure) {
            Thread self = Thread.currentThread();
            self.getUncaughtExceptionHandler().uncaughtException(self, failure);
        }
    }

    /** After the grace, {@code c} turns hard for {@code t}'s subtree (all of it when t is its origin). */
    private static void scheduleHardening(CancellationToken t, Cancel c, long graceNanos) {
        MonotonicClock clock = t.clock();
        long at = Durations.deadlineAfter(clock.nanoTime(), graceNanos);
        clock.timer().arm(new TimerEntry(at) {
            @Override
            protected boolean isRetired() {
                return c.isHardFor(t);
            }

            @Override
            protected void fire() {
                c.hardenWithin(t);
            }
        });
    }

    // ------------------------------------------------------------------ queries

    static @Nullable Cancel state(CancellationToken t) {
        return (Cancel) STATE.getAcquire(t);
    }

    /**
     * Returns true when {@code t} is {@code ancestor} or lies below it.
     *
     * @return true when {@code t} is {@code ancestor} or lies below it
     */
    static boolean isSelfOrDescendant(CancellationToken t, CancellationToken ancestor) {
        for (CancellationToken x = t; x != null; x = x.parent()) {
            if (x == ancestor) {
                return true;
            }
        }
        return false;
    }
}
