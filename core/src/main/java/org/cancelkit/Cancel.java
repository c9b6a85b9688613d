package org.cancelkit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * One cancel operation, shared as the state of every node it marked, so that a descendant reports
 * the very same {@link CancelReason}. A node's state is also its phase (Node, invariant 1): a form
 * that is not {@link #hard} marks a node SOFT, a hard one marks it HARD. A cancel that is hard from
 * the start is one object; a soft one gets its hard form, made once, when it hardens. Both forms of
 * one operation share its {@link #op}, its reason and its origin.
 *
 * <p>Fields: all final but {@link #propagated}, written once by the cancelling thread when its whole
 * walk has marked the subtree (on {@link #op}) and read by late cancellers that must not return
 * before that (Node, invariant 6), and {@link #hardForm}, set once by CAS.
 */
final class Cancel {
    private static final VarHandle HARD_FORM;

    static {
        try {
            HARD_FORM = MethodHandles.lookup().findVarHandle(Cancel.class, "hardForm", Cancel.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final CancelReason reason;
    /** The node the operation started at. */
    final Node origin;
    /** Whether a node with this state is HARD. */
    final boolean hard;
    /** The operation this is a form of: this object, or for a hard form made by a hardening, the soft one. */
    final Cancel op;
    volatile boolean propagated;
    private volatile @Nullable Cancel hardForm;

    /** A new operation, hard or soft from the start. */
    Cancel(CancelReason reason, Node origin, boolean hard) {
        this.reason = reason;
        this.origin = origin;
        this.hard = hard;
        this.op = this;
    }

    private Cancel(Cancel soft) {
        this.reason = soft.reason;
        this.origin = soft.origin;
        this.hard = true;
        this.op = soft;
    }

    /** This operation's hard form: this object when it is hard, else the one made for its hardening. */
    Cancel hardForm() {
        if (hard) {
            return this;
        }
        Cancel h = hardForm;
        if (h == null) {
            Cancel made = new Cancel(this);
            h = HARD_FORM.compareAndSet(this, null, made) ? made : hardForm;
        }
        return h;
    }

    /** Waits (spinning, then yielding) until the cancelling thread has marked the whole subtree. */
    void awaitPropagated() {
        Cancel o = op;
        int spins = 0;
        while (!o.propagated) {
            if (++spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }
}
