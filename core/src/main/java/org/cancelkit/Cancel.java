package org.cancelkit;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The state of a cancelled token: one object per cancel operation, shared by every token of the
 * subtree it cancelled, so a descendant reports the very same {@link CancelReason}.
 *
 * <p>Fields: {@link #reason} and {@link #origin} are final. {@link #propagated} is written once by
 * the cancelling thread when the whole subtree reports cancelled and read by late cancellers that
 * must not return before that. {@link #hard} is written under this object's monitor and read
 * anywhere; {@link #deferred} and {@link #hardRoots} are guarded by the monitor.
 */
final class Cancel {
    final CancelReason reason;
    final CancellationToken origin;
    volatile boolean propagated;
    volatile boolean hard;
    private @Nullable List<Interruptor> deferred;
    private @Nullable List<CancellationToken> hardRoots;

    Cancel(CancelReason reason, CancellationToken origin, boolean hard) {
        this.reason = reason;
        this.origin = origin;
        this.hard = hard;
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

    /**
     * Delivers the interruptor now when the cancel is hard (for its token), else keeps it until the
     * cancel hardens.
     */
    void deliverOrDefer(Interruptor i) {
        synchronized (this) {
            if (!hard && !inHardRoot(i.token())) {
                if (deferred == null) {
                    deferred = new ArrayList<>();
                }
                deferred.add(i);
                return;
            }
        }
        TokenTree.deliverAll(List.of(i));
    }

    /** The grace period has passed, or a hard cancel arrived at the origin: interrupt everyone. */
    void harden() {
        List<Interruptor> now;
        synchronized (this) {
            if (hard) {
                return;
            }
            hard = true;
            now = deferred;
            deferred = null;
        }
        if (now != null) {
            TokenTree.deliverAll(now);
        }
    }

    /** A hard cancel arrived at {@code token}, inside the subtree this soft cancel covers. */
    void hardenWithin(CancellationToken token) {
        if (token == origin) {
            harden();
            return;
        }
        List<Interruptor> now = new ArrayList<>();
        synchronized (this) {
            if (hard) {
                return;
            }
            if (hardRoots == null) {
                hardRoots = new ArrayList<>();
            }
            hardRoots.add(token);
            if (deferred != null) {
                deferred.removeIf(i -> {
                    boolean inside = TokenTree.isSelfOrDescendant(i.token(), token);
                    if (inside) {
                        now.add(i);
                    }
                    return inside;
                });
            }
        }
        TokenTree.deliverAll(now);
    }

    /**
     * Returns true when this cancel interrupts code bound to {@code t} at once: it is hard, or a hard
     * cancel has arrived at {@code t} or above it inside the subtree.
     *
     * @return true when this cancel interrupts code bound to {@code t} at once
     */
    boolean isHardFor(CancellationToken t) {
        if (hard) {
            return true;
        }
        synchronized (this) {
            return hard || inHardRoot(t);
        }
    }

    private boolean inHardRoot(CancellationToken t) {
        if (hardRoots == null) {
            return false;
        }
        for (CancellationToken root : hardRoots) {
            if (TokenTree.isSelfOrDescendant(t, root)) {
                return true;
            }
        }
        return false;
    }
}
