package org.cancelkit;

import org.jspecify.annotations.Nullable;

/**
 * A node of a token's listener list: a child token, a callback, a thread binding or a waiter.
 * See {@link TokenTree} for the list's rules; every field here is guarded by the monitor of
 * {@link #home} once the link is in a striped list.
 */
abstract class Link {
    /** Neighbours in the list; guarded by {@code home}'s monitor. */
    @Nullable Link prev;
    @Nullable Link next;
    /**
     * The stripe holding this link, or null while the link sits directly in its owner's {@code head}
     * (or was never linked). Written by the linking thread (under the stripe's monitor when striped);
     * read by the unlinking thread.
     */
    volatile @Nullable Stripe home;

    /**
     * Called once when the owner of the list is cancelled (after the whole subtree reports cancelled).
     *
     * @param cancel the cancellation
     */
    abstract void onCancel(Cancel cancel);

    /**
     * Returns true when {@link #onCancel} only flips state, unparks or interrupts, and never blocks.
     *
     * @return true when {@link #onCancel} only flips state, unparks or interrupts, and never blocks
     */
    abstract boolean fast();

    /** One sub-list of a token's listeners; its monitor guards the links in it. */
    static final class Stripe {
        /** The token whose list this is. */
        final CancellationToken owner;
        /** Guarded by this. */
        @Nullable Link first;
        /** Guarded by this: set once by the canceller, after which the stripe never changes. */
        boolean closed;

        Stripe(CancellationToken owner, boolean closed) {
            this.owner = owner;
            this.closed = closed;
        }
    }
}
