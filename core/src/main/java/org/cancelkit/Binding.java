package org.cancelkit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * A thread bound to a token for the length of a region ({@link CancellationToken#call}, {@link
 * Timeout}, a task, a shield): the interruptor that interrupts the thread when the token is cancelled
 * hard, keeps it interrupted while the region goes on (level-triggered delivery, with
 * {@link Redelivery}), and the protocol that makes sure no library interrupt outlives the region (C4).
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>{@link #state} goes ACTIVE to DELIVERED (the canceller, by CAS under the {@link #root}'s
 *       monitor, immediately before it interrupts the thread) or ACTIVE to EXITED (the bound thread
 *       leaving, by CAS). Exactly one wins. The interrupt is sent inside the monitor, so an exiting
 *       thread that lost the race takes the monitor once and then knows the interrupt has landed.</li>
 *   <li>A binding whose {@link #depth} is below the root's {@link #barrier} (it lies outside an active
 *       shield or cancel-action region) is never interrupted; its cancellation is delivered when the
 *       barrier drops.</li>
 *   <li>On leaving, a thread whose binding was DELIVERED clears its interrupt status and sets it again
 *       only if it was set on entry or an enclosing binding, still in force, was itself delivered.</li>
 *   <li>Level-triggered: while a binding is DELIVERED and not held back by a barrier, its thread's
 *       interrupt status is set again whenever it is found clear ({@link Redelivery}); the re-interrupt
 *       is sent under the root's monitor after checking both conditions, so by invariant 1 none lands
 *       after the thread has left.</li>
 *   <li>The report of a delivery ({@link CancelEvent.InterruptDelivered}) reaches the listeners before
 *       the bound thread leaves the region: the canceller sets {@link #reporting} under the monitor,
 *       with the interrupt, and clears it once the listeners have run; a thread leaving a DELIVERED
 *       binding takes the monitor (invariant 1) and then waits for it to clear. So whatever the region's
 *       caller does next, an interrupt it suffered has been reported already.</li>
 * </ol>
 *
 * <p>Fields: all final but {@link #state} (see above), {@link #reporting} (invariant 5) and {@link
 * #barrier} (guarded by the root's monitor; only meaningful on a root binding, the outermost one of its
 * thread).
 */
final class Binding extends Listener {
    static final ScopedValue<Binding> CURRENT = ScopedValue.newInstance();

    private static final int ACTIVE = 0;
    private static final int DELIVERED = 1;
    private static final int EXITED = 2;
    private static final VarHandle STATE;
    private static final VarHandle WATCH;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Binding.class, "state", int.class);
            WATCH = MethodHandles.lookup().findVarHandle(Binding.class, "watchClaimed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a region does with the body's outcome. */
    enum Mode { BIND, TIMEOUT, SHIELD }

    final Node token;
    final MonotonicClock clock;
    final Thread thread;
    final @Nullable Binding outer;
    final Binding root;
    final int depth;
    final boolean entryInterrupted;
    private volatile int state;
    /** Set under the root's monitor when a delivery is to be reported; cleared after the report (invariant 5). */
    private volatile boolean reporting;
    /** Root only, guarded by its monitor: bindings with a smaller depth must not be interrupted. */
    int barrier;

    /** Guarded by {@link Redelivery}: set once when the binding is first watched. */
    private volatile boolean watchClaimed;
    /** {@link Redelivery}'s inbox link: written before the push, read by the watcher after taking it. */
    @Nullable Binding nextWatched;

    /** The read-only handle that {@link Cancellation#current()} returns; made on first use (racy, immutable). */
    private @Nullable TokenView view;

    /** Stands for "no binding" ({@link ScopedValue#orElse} takes no null): bound to the never token. */
    private static final Binding NONE = new Binding(Node.NEVER, SystemClock.INSTANCE, null, false);

    private Binding(Node token, MonotonicClock clock, @Nullable Binding outer, boolean entryInterrupted) {
        this.token = token;
        this.clock = clock;
        this.thread = Thread.currentThread();
        this.outer = outer;
        this.root = outer == null ? this : outer.root;
        this.depth = outer == null ? 0 : outer.depth + 1;
        this.entryInterrupted = entryInterrupted;
    }

    /**
     * Returns the binding of this thread, if any (a binding inherited onto another thread is ignored).
     *
     * @return the binding of this thread, if any (a binding inherited onto another thread is ignored)
     */
    static @Nullable Binding current() {
        Binding b = CURRENT.orElse(NONE);
        return b != NONE && b.thread == Thread.currentThread() ? b : null;
    }

    /**
     * Returns the node the running code is bound to, or {@link Node#NEVER}.
     *
     * @return the node the running code is bound to, or {@link Node#NEVER}
     */
    static Node currentToken() {
        return CURRENT.orElse(NONE).token;
    }

    /**
     * Returns the read-only handle on the node the running code is bound to.
     *
     * @return the read-only handle on the node the running code is bound to
     */
    static CancellationToken currentView() {
        Binding b = CURRENT.orElse(NONE);
        if (b == NONE) {
            return TokenView.NEVER;
        }
        TokenView v = b.view;
        if (v == null) {
            v = new TokenView(b.token);
            b.view = v;
        }
        return v;
    }

    /**
     * Returns the clock of the running code's tree, or the bound clock.
     *
     * @return the clock of the running code's tree, or the bound clock
     */
    static MonotonicClock currentClock() {
        Binding b = CURRENT.orElse(NONE);
        return b == NONE ? MonotonicClock.current() : b.clock;
    }

    @Override
    boolean interruptor() {
        return true;
    }

    @Override
    boolean fast() {
        return true;
    }

    @Override
    void fire(Cancel cancel) {
        deliver();
    }

    void deliver() {
        boolean sent = false;
        boolean report = CancelEvents.isObserved();
        synchronized (root) {
            if (depth < root.barrier) {
                return; // invariant 2: delivered when the barrier drops
            }
            if (STATE.compareAndSet(this, ACTIVE, DELIVERED)) {
                reporting = report; // invariant 5: before the thread can see the interrupt
                thread.interrupt(); // invariant 1: inside the monitor
                sent = true;
            }
        }
        if (sent) {
            try {
                Emit.interruptDelivered(thread, token);
            } finally {
                reporting = false;
            }
        }
        Redelivery.watch(this); // invariant 4
    }

    /** Returns true for the first caller only: that one hands the binding to {@link Redelivery}. */
    boolean claimWatch() {
        return !watchClaimed && WATCH.compareAndSet(this, false, true);
    }

    /**
     * Like {@link #redeliver}, but first looks without the lock: a thread whose status is still set, or
     * a binding not delivered, needs nothing (Redelivery, invariant 4).
     *
     * @return false once the binding has exited: it no longer needs watching
     */
    boolean redeliverIfClear() {
        int s = state;
        if (s == EXITED) {
            return false;
        }
        if (s != DELIVERED || thread.isInterrupted()) {
            return true;
        }
        return redeliver();
    }

    /**
     * Interrupts the thread again if this binding is delivered, not held back by a barrier, and its
     * interrupt status is clear (invariant 4).
     *
     * @return false once the binding has exited: it no longer needs watching
     */
    boolean redeliver() {
        synchronized (root) {
            int s = state;
            if (s == EXITED) {
                return false;
            }
            if (s == DELIVERED && depth >= root.barrier && !thread.isInterrupted()) {
                thread.interrupt();
            }
            return true;
        }
    }

    // ------------------------------------------------------------------ regions

    /**
     * Runs {@code body} bound to {@code token}.
     *
     * @param timeout the timeout that made {@code token}, for the message of a {@link DeadlineExceededException}
     */
    static <T, X extends Exception> T callBound(Node token, CheckedCallable<T, X> body, Mode mode,
                                                @Nullable Duration timeout) throws X {
        Binding outer = current();
        MonotonicClock clock = outer != null && outer.token == token ? outer.clock : token.scope.clock;
        boolean shield = mode == Mode.SHIELD;
        int savedBarrier = 0;
        boolean savedFlag = false;
        Binding b;
        if (shield) {
            b = new Binding(token, clock, outer, false);
            if (outer != null) {
                // The barrier goes up before the flag is cleared. Raising it takes the root's monitor,
                // inside which every library interrupt is sent (invariant 1), so once it is up no outer
                // interrupt can land any more; clearing the flag afterwards catches one that landed
                // just before.
                savedBarrier = raiseBarrier(b.root, b.depth);
            }
            savedFlag = Thread.interrupted(); // outer cancellation is not delivered inside (C6)
        } else {
            b = new Binding(token, clock, outer, Thread.currentThread().isInterrupted());
        }
        if (!token.add(b)) {
            b.deliver(); // already cancelled hard: deliver now
        }
        Emit.Span span = shield ? Emit.shieldEntered(timeout, clock) : null;
        T value = null;
        Throwable failure = null;
        boolean delivered = false;
        try {
            value = ScopedValue.where(CURRENT, b).call(body::call);
        } catch (Throwable t) {
            failure = t;
        } finally {
            delivered = b.exit();
            token.remove(b);
            if (mode != Mode.BIND) {
                token.cancel(CancelReason.CLOSED, -1); // retires the timer, unlinks from the parent
            }
            if (shield) {
                Emit.shieldLeft(span, timeout, clock, token.scope.deadline()); // before what the shield held back
                if (outer != null) {
                    dropBarrier(outer, savedBarrier);
                }
                if (savedFlag) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (failure == null) {
            return value;
        }
        throw translate(token, failure, mode, timeout, delivered);
    }

    /**
     * Leaves the region (invariants 1 and 3).
     *
     * @return true when cancelkit interrupted this thread for this binding
     */
    private boolean exit() {
        if (STATE.compareAndSet(this, ACTIVE, EXITED)) {
            return false;
        }
        int barrierNow;
        synchronized (root) {
            state = EXITED; // the interrupt has landed (invariant 1), and no re-interrupt follows (invariant 4)
            barrierNow = root.barrier;
        }
        while (reporting) {
            Thread.yield(); // invariant 5: the canceller is running the listeners, which are quick
        }
        Thread.interrupted();
        if (entryInterrupted || enclosingDelivered(barrierNow)) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** Whether an enclosing binding at or above {@code barrierNow} (read under the root's lock) was delivered. */
    private boolean enclosingDelivered(int barrierNow) {
        for (Binding o = outer; o != null && o.depth >= barrierNow; o = o.outer) {
            if (o.state == DELIVERED) {
                return true;
            }
        }
        return false;
    }

    /** Raises the root's barrier to {@code depth}; returns the previous one. */
    static int raiseBarrier(Binding root, int depth) {
        synchronized (root) {
            int saved = root.barrier;
            root.barrier = depth;
            return saved;
        }
    }

    /** Restores the barrier and delivers what it held back (invariant 2). */
    static void dropBarrier(Binding innermost, int saved) {
        Binding root = innermost.root;
        synchronized (root) {
            root.barrier = saved;
        }
        for (Binding o = innermost; o != null && o.depth >= saved; o = o.outer) {
            if (o.token.isHard() && o.state == ACTIVE) {
                o.deliver();
            }
        }
    }

    // ------------------------------------------------------------------ outcomes

    private static RuntimeException translate(Node token, Throwable failure, Mode mode,
                                              @Nullable Duration timeout, boolean delivered) {
        Cancel c = token.state();
        // The region's own close (only after the body ended) is not a cancellation of the body; an
        // enclosing token's close passing through is.
        boolean closedByUs = c != null && c.reason == CancelReason.CLOSED && c.origin == token && mode != Mode.BIND;
        // An interrupt on a virtual thread closes the socket it reads and fails the read with a
        // SocketException ("Closed by interrupt"): after cancelkit interrupted the thread, an I/O
        // failure is how the cancellation surfaced.
        boolean cancellation = isCancellation(failure) || delivered && causedByIo(failure);
        if (c == null || closedByUs || !cancellation) {
            if (c != null && !closedByUs && failure != null) {
                failure.addSuppressed(new CancelledException(c.reason));
            }
            return Sneaky.rethrow(failure);
        }
        if (mode != Mode.BIND && c.reason.origin == token) {
            return DeadlineExceededException.of(timeout, failure, token);
        }
        if (failure instanceof CancelledException ce && ce.reason() == c.reason) {
            return ce;
        }
        return new CancelledException(c.reason, failure);
    }

    /** Returns true when {@code t} (or a cause) is an I/O failure. */
    private static boolean causedByIo(@Nullable Throwable t) {
        for (int i = 0; t != null && i < 16; i++, t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns true when {@code t} (or a cause) is how cancellation surfaces in blocking code.
     *
     * @return true when {@code t} (or a cause) is how cancellation surfaces in blocking code
     */
    static boolean isCancellation(@Nullable Throwable t) {
        for (int i = 0; t != null && i < 16; i++, t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof InterruptedIOException
                    || t instanceof ClosedByInterruptException || t instanceof CancellationException
                    || t instanceof DeadlineExceededException) {
                return true;
            }
        }
        return false;
    }
}
