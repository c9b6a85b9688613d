package org.cancelkit;

/**
 * One cancel operation, shared as the state of every node it marked, so that a descendant reports
 * the very same {@link CancelReason}.
 *
 * <p>Fields: {@link #reason} and {@link #origin} are final. {@link #propagated} is written once by the cancelling thread
 * when its whole walk has marked the subtree, and read by late cancellers that must not return
 * before that (Node, invariant 6).
 */
final class Cancel {
    final CancelReason reason;
    /** The node the operation started at. */
    final Node origin;
    volatile boolean propagated;

    Cancel(CancelReason reason, Node origin) {
        this.reason = reason;
        this.origin = origin;
    }

    /** Waits (spinning, then yielding) until the cancelling thread has marked the whole subtree. */
    void awaitPropagated() {
        int spins = 0;
        while (!propagated) {
            if (++spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }
}
