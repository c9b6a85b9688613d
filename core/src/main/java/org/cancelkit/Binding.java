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
 * Timeout}, a shield): the listener that interrupts the thread when the token is cancelled, and the
 * protocol that makes sure no library interrupt outlives the region (C4).
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
 *       only if it was set on entry or an enclosing binding, still in force, was itself delivered: the
 *       status is what it would have been without cancelkit.</li>
 * </ol>
 *
 * <p>Fields: all final but {@link #state} (see above) and {@link #barrier} (guarded by the root's
 * monitor; only meaningful on a root binding, the outermost one of its thread).
 */
final class Binding extends Interruptor {
    static final ScopedValue<Binding> CURRENT = ScopedValue.newInstance();

    private static final int ACTIVE = 0;
    private static final int DELIVERED = 1;
    private static final int EXITED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Binding.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a region does with the body's outcome. */
    enum Mode { BIND, TIMEOUT, SHIELD }

    final CancellationToken token;
    final MonotonicClock clock;
    final Thread thread;
    final @Nullable Binding outer;
    final Binding root;
    final int depth;
    final boolean entryInterrupted;
    private volatile int state;
    /** Root only, guarded by its monitor: bindings with a smaller depth must not be interrupted. */
    int barrier;

    /** Stands for "no binding" ({@link ScopedValue#orElse} takes no null): bound to the never token. */
    private static final Binding NONE = new Binding(CancellationToken.NEVER, SystemClock.INSTANCE, null, false);

    private Binding(CancellationToken token, MonotonicClock clock, @Nullable Binding outer, boolean entryInterrupted) {
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
     * Returns the token the running code is bound to, or {@link CancellationToken#NEVER}.
     *
     * @return the token the running code is bound to, or {@link CancellationToken#NEVER}
     */
    static CancellationToken currentToken() {
        return CURRENT.orElse(NONE).token;
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
    CancellationToken token() {
        return token;
    }

    @Override
    boolean fast() {
        return true;
    }

    @Override
    void deliver() {
        synchronized (root) {
            if (depth < root.barrier) {
                return; // invariant 2: delivered when the barrier drops
            }
            if (STATE.compareAndSet(this, ACTIVE, DELIVERED)) {
                thread.interrupt(); // invariant 1: inside the monitor
            }
        }
    }

    // ------------------------------------------------------------------ regions

    /**
     * Runs {@code body} bound to {@code token}.
     *
     * @param timeout the timeout that made {@code token}, for the message of a {@link DeadlineExceededException}
     */
    static <T, X extends Exception> T callBound(CancellationToken token, CheckedCallable<T, X> body, Mode mode,
                                                @Nullable Duration timeout) throws X {
        Binding outer = current();
        MonotonicClock clock = outer != null && outer.token == token ? outer.clock : token.clock();
        boolean shield = mode == Mode.SHIELD;
        int savedBarrier = 0;
        boolean savedFlag = false;
        Binding b;
        if (shield) {
            b = new Binding(token, clock, outer, false);
            if (outer != null) {
                // Fix: the barrier goes up first. Raising it takes the root's monitor, inside which
                // every library interrupt is sent (invariant 1), so once it is up no outer interrupt can
                // land any more; clearing the flag afterwards catches one that landed just before.
                // Clearing first let a cancel slip its interrupt in between (found by the races module).
                savedBarrier = raiseBarrier(b.root, b.depth);
            }
            savedFlag = Thread.interrupted(); // outer cancellation is not delivered inside (C6)
        } else {
            b = new Binding(token, clock, outer, Thread.currentThread().isInterrupted());
        }
        if (!TokenTree.link(token, b)) {
            TokenTree.runOne(b, TokenTree.state(token)); // already cancelled: deliver (or defer) now
        }
        T value = null;
        Throwable failure = null;
        boolean delivered = false;
        try {
            value = ScopedValue.where(CURRENT, b).call(body::call);
        } catch (Throwable t) {
            failure = t;
        } finally {
            delivered = b.exit();
            TokenTree.unlink(token, b);
            if (mode != Mode.BIND) {
                token.close(); // retires the timer, detaches from the parent; nothing left to walk
            }
            if (shield) {
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
        synchronized (root) {
            state = EXITED; // the interrupt has landed (invariant 1)
        }
        Thread.interrupted();
        if (entryInterrupted || enclosingDelivered()) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private boolean enclosingDelivered() {
        int barrierNow;
        synchronized (root) {
            barrierNow = root.barrier;
        }
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
            Cancel c = TokenTree.state(o.token);
            if (c != null && o.state == ACTIVE) {
                c.deliverOrDefer(o);
            }
        }
    }

    // ------------------------------------------------------------------ outcomes

    private static RuntimeException translate(CancellationToken token, Throwable failure, Mode mode,
                                              @Nullable Duration timeout, boolean delivered) {
        Cancel c = TokenTree.state(token);
        // Fix: "closed by us" used to be any CLOSED reason, so an enclosing token's close() passing
        // through a timeout surfaced as the body's raw InterruptedException. Only the region's own
        // close (the token itself is the origin) is ours.
        boolean closedByUs = c != null && c.reason == CancelReason.CLOSED && c.origin == token && mode != Mode.BIND;
        // Fix: an interrupt on a virtual thread closes the socket it reads and fails the read with a
        // SocketException ("Closed by interrupt"), which used to escape raw. After cancelkit
        // interrupted the thread, an I/O failure is how the cancellation surfaced.
        boolean cancellation = isCancellation(failure) || delivered && causedByIo(failure);
        if (c == null || closedByUs || !cancellation) {
            if (c != null && !closedByUs && failure != null) {
                failure.addSuppressed(new CancelledException(c.reason));
            }
            return Sneaky.rethrow(failure);
        }
        if (mode != Mode.BIND && c.reason.origin == token) {
            return DeadlineExceededException.of(timeout, failure);
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
