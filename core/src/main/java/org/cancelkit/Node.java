package org.cancelkit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * One node of the cancellation tree: its state, its lists of children and listeners, the soft and
 * hard phases of a cancel, and how a cancel travels down. Every public token type is a thin handle
 * over a node ({@link CancellationSource} is implemented by this class itself, so that a child costs
 * one object; {@link TokenView} is the read-only handle that callees see).
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>{@link #head} is the node's phase and its list in one field: null or a {@link Link} is
 *       ACTIVE (the list's first element, or none), a {@link Soft} SOFT (the soft {@link Cancel} and
 *       the list kept through the grace), a {@link Cancel} HARD (always a hard one; the list is gone).
 *       The phase goes ACTIVE to SOFT to HARD, or ACTIVE to HARD, and never back; {@link #head}
 *       changes only under this node's lock. The first cancel's operation stays: a SOFT node turns
 *       HARD with the hard form of its own operation, whoever hardens it (C2: sticky, one reason).</li>
 *   <li>A node has one list, of its children and its listeners alike, linked through their
 *       {@link Link} fields. It is open while the node is below HARD. The critical section that makes
 *       the node HARD also detaches it. A link added to an open list under the lock is therefore
 *       found by the canceller; an adder that finds the node HARD (or, for a listener that is not an
 *       interruptor, cancelled at all) handles the link itself. No listener is lost and none runs
 *       twice.</li>
 *   <li>A detached chain never changes again: an unlink under the owner's lock first checks that
 *       the owner is not HARD, so the canceller walks a detached chain without the lock.</li>
 *   <li>Lifetimes end. A node that turns HARD on its own (a cancel, its deadline, close) unlinks from
 *       its parent, and its timer entry lets go of it; a node below it left its parent's list when that
 *       list was detached. A listener unlinks when its region ends. So the lists hold only nodes and
 *       listeners that are still live, or SOFT and waiting for their grace period to end.</li>
 *   <li>A soft cancel keeps children and interruptors ({@link Binding}, {@link ActionRegion}) linked,
 *       so that the hardening, after the grace or when a hard cancel arrives, reaches them; it runs
 *       every other listener (callbacks, waiters) at once and unlinks it.</li>
 *   <li>A cancel marks the whole subtree before it runs any listener, and then sets
 *       {@link Cancel#propagated}. A walk or a late {@code cancel()} that meets a node cancelled by
 *       another operation waits for that operation's flag, so when any {@code cancel()} returns every
 *       descendant reports cancelled (C2). Waits cannot cycle: a walk stops at a node already
 *       cancelled, and the tree gives one path to each node.</li>
 *   <li>A cancel goes down only: it never touches a parent or sibling, except to unlink the node
 *       from its parent's list (invariant 4).</li>
 *   <li>Interruptors are delivered only once their node is HARD (C8); callbacks each run in their own
 *       {@code try} (C5). On the timer thread only fast listeners run inline, and an expiry with
 *       more than one node below it is walked on another thread, so no subtree delays other
 *       deadlines. A walk that releases many fast listeners (the bound threads of a large group)
 *       shares their delivery with offload threads ({@link Spread}) and returns once all have run.</li>
 *   <li>A root spreads its later children over {@link Stripes} once a child links while its list
 *       already holds another child (or more than {@link Stripes#SCAN} links, which it does not
 *       search): hidden children of the root that share its scope, one per creating thread's slot,
 *       so threads making and closing children of one shared root (a server's) take different locks.
 *       A stripe is never cancelled or closed on its own and never unlinks; the root's cancel reaches
 *       it and what it holds as any child. No handle reaches a stripe (a child's {@link #parent} only
 *       walks upward), and counts (events, {@link #linkedCount}) skip stripes.</li>
 * </ol>
 *
 * <p>Lock order: a thread holds at most one node's lock at a time, and never while a listener runs.
 * The lock is the node's monitor: the node is reachable only through cancelkit's own handles. (The
 * phase and the list share {@link #head}, and children and listeners share one list, so that a node
 * is five references: 32 bytes with compressed references.)
 *
 * <p>Fields: {@link #parent} and {@link #scope} are final. {@link #head} is written under the lock
 * (release stores) and read anywhere (volatile). The list links ({@link Link}, and {@link Soft#first})
 * are guarded by the lock of the node that owns the list (siblings: the parent's); {@link Walk} and
 * {@link Stripes} touch them only under it.
 */
final class Node extends CancellationSource {
    /** Writes of {@link #head} (under the lock): release stores, no fence; reads stay volatile. */
    static final VarHandle HEAD;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(Node.class, "head", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The node that is never cancelled; its list stays empty. */
    static final Node NEVER = new Node(null, new Scope.Root(SystemClock.INSTANCE, Scope.NONE));

    final @Nullable Node parent;
    /** The clock and effective deadline: shared with the parent unless this node's own is earlier. */
    final Scope scope;
    /** The phase and the list (invariant 1): null or a {@link Link}, a {@link Soft}, or a hard {@link Cancel}. */
    volatile @Nullable Object head;

    /** A SOFT node's phase: its soft cancel and the list it keeps through the grace (invariant 5). */
    static final class Soft {
        final Cancel cancel;
        /** Guarded by the node's lock. */
        @Nullable Link first;

        Soft(Cancel cancel, @Nullable Link first) {
            this.cancel = cancel;
            this.first = first;
        }
    }

    Node(@Nullable Node parent, Scope scope) {
        this.parent = parent;
        this.scope = scope;
    }

    @Override
    Node node() {
        return this;
    }

    // ------------------------------------------------------------------ creation

    static Node root(MonotonicClock clock, long deadline) {
        return root(clock, deadline, Long.MIN_VALUE, false);
    }

    /** A root; {@code now} is a reading of {@code clock} just taken, or {@link Long#MIN_VALUE} for none. */
    private static Node root(MonotonicClock clock, long deadline, long now, boolean quiet) {
        Scope s = quiet ? new Scope.Quiet(clock, deadline) : new Scope.Root(clock, deadline);
        Node n = new Node(null, s);
        if (deadline != Scope.NONE) {
            s.own(n);
            n.armOrExpire(now);
        }
        org.cancelkit.internal.Checkpoints.rootCreated(n); // the testing kit's leak check; one volatile read otherwise
        return n;
    }

    /** A new child; its own deadline ({@link Scope#NONE} for none) is armed whatever this node's phase. */
    Node newChild(long ownDeadline) {
        return newChild(ownDeadline, null, Long.MIN_VALUE, false);
    }

    /** A new child whose own deadline is a sleep's wake-up: its expiry is not an event (Emit). */
    Node newSleepChild(long ownDeadline) {
        return newChild(ownDeadline, null, Long.MIN_VALUE, true);
    }

    /**
     * A new child, for a caller that has just read {@code now} from {@code read} to compute the
     * deadline: when that is this tree's clock, arming does not read it again.
     */
    Node newChild(long ownDeadline, @Nullable MonotonicClock read, long now) {
        return newChild(ownDeadline, read, now, false);
    }

    private Node newChild(long ownDeadline, @Nullable MonotonicClock read, long now, boolean quiet) {
        if (this == NEVER) {
            MonotonicClock clock = MonotonicClock.current();
            return root(clock, ownDeadline, read == clock ? now : Long.MIN_VALUE, quiet);
        }
        if (parent == null) {
            Node[] st = scope.stripes();
            if (st != null) {
                return Stripes.pick(this, st).newChild(ownDeadline, read, now, quiet); // invariant 9
            }
        }
        boolean own = ownDeadline < scope.deadline();
        Scope s = own ? Scope.of(scope.clock, ownDeadline, quiet) : scope;
        Node c = new Node(this, s);
        if (own) {
            s.own(c);
        }
        if (link(c) && own) {
            c.armOrExpire(read == scope.clock ? now : Long.MIN_VALUE);
        }
        return c;
    }

    /**
     * Links the new child {@code c}, born in this node's phase; returns false when this node is HARD
     * and {@code c} is born hard and alone instead (invariant 2).
     */
    boolean link(Node c) {
        synchronized (this) {
            Object h = head;
            if (h instanceof Cancel hard) {
                c.head = hard; // c is not yet published: a plain write, published by this lock and the return
                return false;
            }
            if (h instanceof Soft soft) {
                c.head = new Soft(soft.cancel, null); // born soft, the hardening reaching it through the list (invariant 5)
            } else if (h != null && parent == null && scope instanceof Scope.Root r && r.stripes == null
                    && Stripes.holdsChild((Link) h)) {
                r.stripes = new Node[Stripes.COUNT]; // a second child at once: spread from now on (invariant 9)
            }
            pushLocked(c);
            return true;
        }
    }

    /** Expires at once when the deadline has passed ({@code now} read if {@link Long#MIN_VALUE}), else arms it. */
    private void armOrExpire(long now) {
        MonotonicClock clock = scope.clock;
        if (scope.deadline() <= (now == Long.MIN_VALUE ? clock.nanoTime() : now)) {
            expire();
        } else {
            clock.timer().arm(scope);
        }
    }

    // ------------------------------------------------------------------ the list

    /**
     * Links {@code l}. Returns false, and links nothing, when the node is HARD, or cancelled at all
     * and {@code l} is not an interruptor (invariant 2): the caller then handles it itself.
     */
    boolean add(Listener l) {
        synchronized (this) {
            Object h = head;
            if (h instanceof Cancel || (h instanceof Soft && !l.interruptor())) {
                return false;
            }
            pushLocked(l);
            return true;
        }
    }

    /** Unlinks {@code l}; returns false when a canceller has taken it (it has run or will). */
    boolean remove(Listener l) {
        synchronized (this) {
            if (isHard() || !holdsLocked(l)) { // invariant 3; or a soft cancel took it
                return false;
            }
            unlinkLocked(l);
            return true;
        }
    }

    private void unlinkFromParent() {
        Node p = parent;
        if (p == null) {
            return;
        }
        synchronized (p) {
            if (p.isHard() || !p.holdsLocked(this)) {
                return; // detached with the parent's list (invariant 3), or already gone
            }
            p.unlinkLocked(this);
        }
    }

    /** The first element of the list that the head {@code h} holds (invariant 1); the caller holds the lock. */
    static @Nullable Link firstOf(@Nullable Object h) {
        return h instanceof Link l ? l : h instanceof Soft s ? s.first : null;
    }

    /** Makes {@code l} the list's first element; the caller holds the lock and the node is below HARD. */
    private void setFirstLocked(@Nullable Link l) {
        if (head instanceof Soft s) {
            s.first = l;
        } else {
            HEAD.setRelease(this, l);
        }
    }

    /** Whether {@code x} is in this node's list; the caller holds the lock and the node is below HARD. */
    private boolean holdsLocked(Link x) {
        return x.prev != null || firstOf(head) == x;
    }

    /** Links {@code x} first; the caller holds the lock and the node is below HARD. */
    private void pushLocked(Link x) {
        Link first = firstOf(head);
        x.prev = null;
        x.next = first;
        if (first != null) {
            first.prev = x;
        }
        setFirstLocked(x);
    }

    /** Unlinks {@code x}, which is in the list; the caller holds the lock and the node is below HARD. */
    void unlinkLocked(Link x) {
        if (x.prev == null) {
            setFirstLocked(x.next);
        } else {
            x.prev.next = x.next;
        }
        if (x.next != null) {
            x.next.prev = x.prev;
        }
        x.prev = null;
        x.next = null;
    }

    // ------------------------------------------------------------------ cancel

    /**
     * Cancels this node and its subtree: hard when {@code graceNanos} is negative, else soft with that
     * grace before it hardens.
     *
     * @return true when this call cancelled this node
     */
    boolean cancel(CancelReason reason, long graceNanos) {
        boolean hard = graceNanos < 0;
        Cancel existing = state();
        if (existing == null) {
            Cancel c = new Cancel(reason, this, hard);
            if (walk(c, hard)) {
                if (!hard) {
                    NodeTimers.hardenAfter(this, graceNanos);
                }
                return true;
            }
            existing = state();
        }
        assert existing != null;
        existing.awaitPropagated(); // invariant 6
        if (hard && isHard()) {
            return false; // marked hard already: the walk that did it unlinks it and runs what it released
        }
        if (hard) {
            boolean wasSoft = !isHard();
            long walkStart = Emit.walkStart();
            walk(existing, true); // a hard cancel arriving in the grace period takes effect at once (C8)
            if (wasSoft) {
                Emit.tokenHardened(this, existing, reason, walkStart);
            }
        } else if (!isHard()) {
            NodeTimers.hardenAfter(this, graceNanos); // hardens at the earlier of the two graces
        }
        return false;
    }

    /** Fires this node's own deadline: hard, or hardening when it is already soft. */
    void expire() {
        NodeTimers.offTimerIfLarge(this, this::expireNow);
    }

    private void expireNow() {
        Emit.deadlineFired(this);
        cancel(CancelReason.deadline(this), -1);
    }

    /**
     * Marks this subtree with {@code c} (for nodes not yet cancelled) SOFT or HARD, then runs
     * what the marking released. Returns whether this node itself took {@code c} as its state.
     */
    boolean walk(Cancel c, boolean hard) {
        Walk w = new Walk();
        boolean tookState = false;
        long walkStart = Emit.walkStart();
        int marked = 0;
        try {
            tookState = w.mark(this, c, hard);
            for (Node n; (n = w.poll()) != null; ) {
                if (w.mark(n, c, hard) && !Stripes.isStripe(n)) {
                    marked++;
                }
            }
        } finally {
            if (tookState) {
                c.propagated = true; // invariant 6
            }
        }
        boolean madeHard = hard && isHard();
        if (madeHard) {
            unlinkFromParent(); // invariant 4
        }
        if (tookState) {
            Emit.tokenCancelled(this, c, hard, marked + 1, walkStart);
        }
        if (w.released != null) {
            Listener.fireAll(w.released, c);
        }
        return tookState;
    }

    // ------------------------------------------------------------------ queries

    /** The phase (invariant 1): null while ACTIVE, else the cancel, soft or hard. */
    @Nullable Cancel state() {
        return stateOf(head);
    }

    /** The phase that the head {@code h} holds (invariant 1): null while ACTIVE, else the cancel. */
    static @Nullable Cancel stateOf(@Nullable Object h) {
        return h instanceof Cancel c ? c : h instanceof Soft s ? s.cancel : null;
    }

    boolean isHard() {
        return head instanceof Cancel; // only a hard cancel is stored as such (invariant 1)
    }

    /** The reason, once cancelled; null before. */
    @Nullable CancelReason reasonOrNull() {
        Cancel c = state();
        return c == null ? null : c.reason;
    }

    /** For the testing kit and statistics: how many children and listeners are linked now ({@link Stripes#linkedCount}). */
    int linkedCount() {
        return Stripes.linkedCount(this);
    }
}
