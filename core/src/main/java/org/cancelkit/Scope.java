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
 *
 * <p>Two kinds carry one thing more, so that the common one stays 32 bytes: a root's ({@link Root}:
 * its stripes) and a sleep's wake-up ({@link Quiet}: its expiry is not an event).
 */
class Scope extends TimerEntry {
    static final long NONE = Long.MAX_VALUE;
    final MonotonicClock clock;
    private volatile @Nullable Node owner;

    Scope(MonotonicClock clock, long deadline) {
        super(deadline);
        this.clock = clock;
    }

    /** A new scope for a node's own deadline: {@link Quiet} for a sleep's wake-up. */
    static Scope of(MonotonicClock clock, long deadline, boolean quiet) {
        return quiet ? new Quiet(clock, deadline) : new Scope(clock, deadline);
    }

    /** Whether this deadline's expiry is not an event: a sleep's wake-up (Emit). */
    boolean quiet() {
        return false;
    }

    /** The scope a root creates (unless it is a sleep's wake-up). */
    static final class Root extends Scope {
        /**
         * Once children from several threads hang under the root at once: its stripes (Node,
         * invariant 9). Only the root reads it (the nodes that share the scope are not roots); the
         * array is published by this volatile write, a slot by the root's lock or a racy read of a
         * node whose fields a reader needs are final.
         */
        volatile Node @Nullable [] stripes;

        Root(MonotonicClock clock, long deadline) {
            super(clock, deadline);
        }
    }

    /** The deadline of a sleep's wake-up. */
    static final class Quiet extends Scope {
        Quiet(MonotonicClock clock, long deadline) {
            super(clock, deadline);
        }

        @Override
        boolean quiet() {
            return true;
        }
    }

    /** A root's stripes, or null (Node, invariant 9). */
    Node @Nullable [] stripes() {
        return this instanceof Root r ? r.stripes : null;
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
