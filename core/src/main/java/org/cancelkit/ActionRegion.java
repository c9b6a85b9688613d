package org.cancelkit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.cancelkit.internal.TimerEntry;
import org.jspecify.annotations.Nullable;

/**
 * A cancel-action region (C9): while a thread is inside, cancellation runs the region's action
 * instead of interrupting the thread, and its escalation if the thread is still inside a grace period
 * later.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>{@link #state}: INSIDE, then ACTING and ACTED (the action ran once), then optionally
 *       ESCALATING and ESCALATED; or EXITED, set by the bound thread when it leaves. Every change is a
 *       CAS, so the action and the escalation each run at most once, and neither starts after the
 *       thread has left.</li>
 *   <li>The thread does not leave while the action or the escalation is running: it waits for them,
 *       so a resource is never reused while its cancel is still in flight (a stray cancel).</li>
 * </ol>
 */
final class ActionRegion extends Listener {
    private static final int INSIDE = 0;
    private static final int ACTING = 1;
    private static final int ACTED = 2;
    private static final int ESCALATING = 3;
    private static final int ESCALATED = 4;
    private static final int EXITED = 5;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ActionRegion.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CancelAction spec;
    private final MonotonicClock clock;
    private volatile int state;
    private volatile boolean actionRan;

    ActionRegion(CancelAction spec, MonotonicClock clock) {
        this.spec = spec;
        this.clock = clock;
    }

    @Override
    boolean interruptor() {
        return true;
    }

    @Override
    boolean fast() {
        return false;
    }

    @Override
    void fire(Cancel cancel) {
        deliver();
    }

    void deliver() {
        if (!STATE.compareAndSet(this, INSIDE, ACTING)) {
            return;
        }
        boolean ran = false;
        try {
            actionRan = true;
            spec.action().run();
            ran = true;
        } finally {
            Emit.cancelAction(false, spec, !ran); // before the thread may leave (invariant 2)
            settle(ACTED);
            armEscalation(); // also after an action that threw: the body is all the more likely stuck

        }
    }

    private void armEscalation() {
        Runnable escalation = spec.escalation();
        if (escalation != null) {
            long at = Durations.deadlineAfter(clock.nanoTime(), Durations.toNanosSaturated(spec.grace()));
            clock.timer().arm(new TimerEntry(at) {
                @Override
                protected boolean isRetired() {
                    return state != ACTED;
                }

                @Override
                protected void fire() {
                    if (onTimerThread()) {
                        Offload.run(() -> escalate(escalation));
                    } else {
                        escalate(escalation);
                    }
                }
            });
        }
    }

    private void escalate(Runnable escalation) {
        if (!STATE.compareAndSet(this, ACTED, ESCALATING)) {
            return;
        }
        boolean ran = false;
        try {
            escalation.run();
            ran = true;
        } finally {
            Emit.cancelAction(true, spec, !ran); // before the thread may leave (invariant 2)
            settle(ESCALATED);
        }
    }

    private void settle(int to) {
        synchronized (this) {
            state = to;
            notifyAll();
        }
    }

    /**
     * Returns true when the action ran (the body was stopped by it, or raced it).
     *
     * @return true when the action ran (the body was stopped by it, or raced it)
     */
    boolean actionRan() {
        return actionRan;
    }

    /** The bound thread leaves (invariant 2). */
    void exit() {
        boolean interrupted = false;
        while (true) {
            int s = state;
            if ((s == INSIDE || s == ACTED || s == ESCALATED) && STATE.compareAndSet(this, s, EXITED)) {
                break;
            }
            if (s == ACTING || s == ESCALATING) {
                synchronized (this) {
                    while (state == ACTING || state == ESCALATING) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            // The region must not be left while its action runs; restored below.
                            interrupted = true;
                        }
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code body} inside a region on the current thread; see {@link Cancellation#withCancelAction}. */
    static <T, X extends Exception> T run(CancelAction spec, CheckedCallable<T, X> body) throws X {
        Binding outer = Binding.current();
        if (outer == null || outer.token == Node.NEVER) {
            return body.call(); // nothing can cancel this thread through cancelkit
        }
        Node token = outer.token;
        // Entering is a check: an action run before the body had started using its resource could not
        // stop it (Statement.cancel() before executeQuery is a no-op), so such a body never starts.
        token.throwIfCancelled();
        ActionRegion r = new ActionRegion(spec, outer.clock);
        // The barrier goes to the top, not just above the enclosing binding, so a binding made inside the
        // region (a Timeout nested in it) cannot interrupt the thread either (C9: no interrupt inside).
        int saved = Binding.raiseBarrier(outer.root, Integer.MAX_VALUE);
        boolean savedFlag = Thread.interrupted(); // a delivered interrupt must not hit the body
        if (!token.add(r)) {
            r.deliver(); // cancelled hard since the check above
        }
        T value = null;
        @Nullable Throwable failure = null;
        try {
            value = body.call();
        } catch (Throwable t) {
            failure = t;
        } finally {
            r.exit();
            token.remove(r);
            Binding.dropBarrier(outer, saved);
            if (savedFlag) {
                Thread.currentThread().interrupt();
            }
        }
        Cancel c = token.state();
        if (c != null && (failure != null || r.actionRan())) {
            if (failure instanceof CancelledException ce && ce.reason() == c.reason) {
                throw ce;
            }
            throw new CancelledException(c.reason, failure);
        }
        if (failure != null) {
            throw Sneaky.<RuntimeException>rethrow(failure);
        }
        return value;
    }
}
