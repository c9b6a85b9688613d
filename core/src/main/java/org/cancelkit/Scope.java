package org.cancelkit;

import org.cancelkit.internal.TimerEntry;
import org.jspecify.annotations.Nullable;

/**
 * The clock and effective deadline of a node, shared by the nodes below it that add none (C3), and,
 * for a node with a deadline of its own, the timer entry that fires it: one object for both, so a
 * child with a deadline costs the node and this.
 *
 * <p>Fields: {@link #clock} and the deadline are final. {@link #owner} is written once by the
 * creating thread before the node is published (and before the entry is armed), and cleared when the
 * node turns HARD, so that the timer's heap lets go of the node at once (Node, invariant 4).
 */
final class Scope extends TimerEntry {
    static final long NONE = Long.MAX_VALUE;
    final MonotonicClock clock;
    private volatile @Nullable Node owner;
    /**
     * True for the deadline of a sleep's wake-up, whose expiry is not an event (Emit). Written by the
     * sleeping thread right after arming, read by the timer: a sleep of a few nanoseconds may still be
     * reported.
     */
    volatile boolean quiet;
    /**
     * For the root that created this scope, once children from several threads hang under it at once:
     * its stripes (Node, invariant 9). Only that root reads it (the nodes that share the scope are not
     * roots); the array is published by this volatile write, a slot by the root's lock or a racy read
     * of a node whose fields a reader needs are final.
     */
    volatile Node @Nullable [] stripes;

    Scope(MonotonicClock clock, long deadline) {
        super(deadline);
        this.clock = clock;
    }

    /** Makes {@code n} the node whose own deadline this is; before {@code n} is published. */
    void own(Node n) {
        owner = n;
    }

    boolean ownedBy(Node n) {
        return owner == n;
    }

    /** Lets go of the node: its deadline will not fire (it is HARD already). */
    void retire() {
        owner = null;
    }

    @Override
    protected boolean isRetired() {
        Node n = owner;
        return n == null || n.isHard();
    }

    @Override
    protected void fire() {
        Node n = owner;
        if (n != null) {
            n.expire();
        }
    }
}
