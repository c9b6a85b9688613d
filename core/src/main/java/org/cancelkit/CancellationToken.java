package org.cancelkit;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.cancelkit.internal.Checkpoints;
import org.cancelkit.internal.TimerEntry;
import org.jspecify.annotations.Nullable;

/**
 * A node in a cancellation tree: the seed's {@code CancellationToken}, with deadlines, reasons and a
 * soft-then-hard cancel.
 *
 * {@snippet :
 * try (CancellationToken request = CancellationToken.create().child(Duration.ofSeconds(5))) {
 *     String body = request.call(() -> fetch(url));   // interrupted at its blocking calls on cancel
 * }
 * }
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Cancellation is sticky and flows down (C2): once cancelled a token stays cancelled with one
 *       reason; when {@link #cancel} returns, every descendant reports cancelled. Cancelling a child
 *       never cancels its parent or siblings.</li>
 *   <li>A child's effective deadline is the earlier of its own and its parent's (C3).</li>
 *   <li>An {@link #onCancel} callback runs exactly once, or never if its registration was closed
 *       first; registering on a cancelled token runs it at once; one failing callback does not stop
 *       the others (C5). A failing callback is reported to the cancelling thread's uncaught-exception
 *       handler.</li>
 *   <li>{@link #isCancelled()} is a single volatile read: cheap enough for a hot loop (C7).</li>
 * </ul>
 *
 * <h2>Closing</h2>
 * A child stays linked to its parent until it is cancelled or {@linkplain #close() closed}: close the
 * children of long-lived parents (try-with-resources), or they accumulate. Closing cancels the token
 * with reason {@link CancelReason.Kind#CLOSED} if it was not cancelled yet, so nothing bound to it runs
 * on unnoticed, and unhooks it from its parent and its timer.
 *
 * <h2>Memory consistency</h2>
 * Actions of a thread before it calls {@link #cancel} happen-before a callback registered with
 * {@link #onCancel} runs, and before {@link #isCancelled()} returns true in any thread.
 *
 * <p>Thread-safe. Every argument must be non-null.
 */
public sealed class CancellationToken extends Link implements AutoCloseable
        permits CancellationToken.Root, CancellationToken.WithDeadline {

    static final long NO_DEADLINE = Long.MAX_VALUE;
    private static final CancelReason REQUESTED = CancelReason.requested("cancel() called");

    /** Null while active; the {@link Cancel} once cancelled. Written by CAS in {@link TokenTree}. */
    volatile @Nullable Object state;
    /** The listener list; see {@link TokenTree}. */
    volatile @Nullable Object head;

    /** The token that is never cancelled: what {@link Cancellation#current()} is outside any scope. */
    static final CancellationToken NEVER = new Root(SystemClock.INSTANCE, NO_DEADLINE);

    CancellationToken() {}

    /** A token at the top of a tree: it holds the tree's clock. */
    static final class Root extends CancellationToken {
        final MonotonicClock clock;
        final long deadline;

        Root(MonotonicClock clock, long deadline) {
            this.clock = clock;
            this.deadline = deadline;
            Checkpoints.rootCreated(this); // for the testing kit's leak check; one volatile read otherwise
        }
    }

    /** A child whose own deadline is earlier than its parent's. */
    static final class WithDeadline extends CancellationToken {
        final long deadline;

        WithDeadline(long deadline) {
            this.deadline = deadline;
        }
    }

    /** Fires a token's own deadline; retired as soon as the token is cancelled or closed. */
    static final class DeadlineTimer extends TimerEntry {
        private final CancellationToken token;

        DeadlineTimer(CancellationToken token, long deadline) {
            super(deadline);
            this.token = token;
        }

        @Override
        protected boolean isRetired() {
            // Fix: a soft cancel used to retire the deadline, so a timeout inside a token in its grace
            // period no longer fired. A deadline passing during the grace is a hard cancel arriving
            // meanwhile, which takes effect at once (C8): keep it armed until the token is hard.
            Object s = token.state;
            return s != null && ((Cancel) s).isHardFor(token);
        }

        @Override
        protected void fire() {
            TokenTree.expire(token);
        }
    }

    // ------------------------------------------------------------------ creation

    /**
     * Returns a new root token on {@link MonotonicClock#current()}, with no deadline.
     *
     * @return a new root token on {@link MonotonicClock#current()}, with no deadline
     */
    public static CancellationToken create() {
        return new Root(MonotonicClock.current(), NO_DEADLINE);
    }

    /**
     * Returns the token that is never cancelled and cannot be.
     *
     * @return the token that is never cancelled and cannot be
     */
    public static CancellationToken never() {
        return NEVER;
    }

    /**
     * Returns a new child: cancelled with this token, never the other way round.
     *
     * @return a new child: cancelled with this token, never the other way round
     */
    public CancellationToken child() {
        return newChild(this, NO_DEADLINE, null);
    }

    /**
     * A child with its own timeout, counted from now on this tree's clock. Its effective deadline is
     * the earlier of its own and this token's (C3).
     *
     * @param timeout not negative; zero means already expired; huge values saturate
     * @return the child
     */
    public CancellationToken child(Duration timeout) {
        Durations.requireTimeout(timeout, "timeout");
        MonotonicClock clock = this == NEVER ? MonotonicClock.current() : clock();
        return newChild(this, Durations.deadlineAfter(clock.nanoTime(), Durations.toNanosSaturated(timeout)), clock);
    }

    /**
     * A child with a deadline given as a reading of this tree's {@link #clock()}, for passing a
     * deadline from one token to another.
     *
     * @param deadlineNanos the deadline, in {@link MonotonicClock#nanoTime()} of this tree's clock
     * @return the child
     */
    public CancellationToken childWithDeadline(long deadlineNanos) {
        return newChild(this, deadlineNanos, null);
    }

    static CancellationToken newChild(CancellationToken parent, long ownDeadline,
                                      @Nullable MonotonicClock clockIfKnown) {
        if (parent == NEVER) {
            MonotonicClock clock = clockIfKnown != null ? clockIfKnown : MonotonicClock.current();
            Root root = new Root(clock, ownDeadline);
            if (ownDeadline != NO_DEADLINE) {
                armOrExpire(root, ownDeadline, clock);
            }
            return root;
        }
        boolean ownIsEarlier = ownDeadline != NO_DEADLINE && ownDeadline < parent.deadlineNanosOrMax();
        CancellationToken child = ownIsEarlier ? new WithDeadline(ownDeadline) : new CancellationToken();
        if (!TokenTree.link(parent, child)) {
            child.home = new Stripe(parent, true);
            child.state = TokenTree.state(parent); // parent already cancelled: so is the child
            // Fix: the child's own list used to stay open, so its children, callbacks and bound threads
            // linked later were never cancelled (a bound body blocked for ever). Close it, as the
            // cancel's walk would have (TokenTree invariant 2): linkers now see it cancelled.
            child.head = TokenTree.CLOSED;
            return child;
        }
        if (ownIsEarlier) {
            MonotonicClock clock = clockIfKnown != null ? clockIfKnown : parent.clock();
            armOrExpire(child, ownDeadline, clock);
        }
        return child;
    }

    /**
     * Arms {@code t}'s deadline, or expires {@code t} at once when the deadline has already come.
     * Fix: {@code Duration.ZERO} and past deadlines used to wait for the timer (for ever on a virtual
     * clock nobody advances); "Duration.ZERO is already expired" (DESIGN, errors and bad input).
     */
    private static void armOrExpire(CancellationToken t, long deadline, MonotonicClock clock) {
        if (deadline <= clock.nanoTime()) {
            TokenTree.expire(t);
        } else {
            clock.timer().arm(new DeadlineTimer(t, deadline));
        }
    }

    // ------------------------------------------------------------------ cancelling

    /**
     * Cancels this token and its subtree, hard: threads bound to it are interrupted at once.
     *
     * @return true when this call cancelled it; false when it already was
     * @throws IllegalStateException on {@link #never()}
     */
    public boolean cancel() {
        return cancel(REQUESTED);
    }

    /**
     * Cancels with a message, hard.
     *
     * @param message why, for logs and for code that asks {@link #reason()}
     * @return true when this call cancelled it
     */
    public boolean cancel(String message) {
        return cancel(CancelReason.requested(message));
    }

    /**
     * Cancels with a reason, hard.
     *
     * @param reason why
     * @return true when this call cancelled it
     */
    public boolean cancel(CancelReason reason) {
        Objects.requireNonNull(reason, "reason");
        requireCancellable();
        return TokenTree.cancel(this, reason, -1);
    }

    /**
     * Soft, then hard (C8): cancels now for checks, waits and callbacks, but interrupts no thread and
     * runs no cancel action until {@code grace} has passed; then behaves as a hard cancel. A hard
     * cancel of this token or an ancestor meanwhile takes effect at once, and so does a deadline that
     * passes meanwhile; the reason stays this one. Soft-cancelling a token already in a grace period
     * makes its subtree hard when the new grace has passed, if that comes first.
     *
     * @param reason why
     * @param grace how long running code may take to finish on its own; zero makes this a hard cancel
     * @return true when this call cancelled it
     */
    public boolean cancel(CancelReason reason, Duration grace) {
        Objects.requireNonNull(reason, "reason");
        Durations.requireTimeout(grace, "grace");
        requireCancellable();
        long graceNanos = Durations.toNanosSaturated(grace);
        // Fix: a zero grace is already over (Duration.ZERO is already expired): a hard cancel now,
        // instead of waiting for the timer (for ever on a virtual clock nobody advances).
        return TokenTree.cancel(this, reason, graceNanos == 0 ? -1 : graceNanos);
    }

    private void requireCancellable() {
        if (this == NEVER) {
            throw new IllegalStateException("the never-cancelled token cannot be cancelled; "
                    + "create a cancellable one with CancellationToken.create()");
        }
    }

    /**
     * Closes the token: cancels it with reason {@link CancelReason.Kind#CLOSED} unless it already is,
     * and unhooks it from its parent and its timer. Idempotent; a no-op on {@link #never()}.
     */
    @Override
    public void close() {
        if (this == NEVER) {
            return;
        }
        TokenTree.cancel(this, CancelReason.CLOSED, -1);
        CancellationToken parent = parent();
        if (parent != null) {
            TokenTree.unlink(parent, this);
        }
    }

    // ------------------------------------------------------------------ queries

    /**
     * Returns true once cancelled: a single volatile read.
     *
     * @return true once cancelled: a single volatile read
     */
    public final boolean isCancelled() {
        return state != null;
    }

    /**
     * A cancellation point: throws when the token is cancelled.
     *
     * @throws CancelledException when cancelled, with the reason
     */
    public final void throwIfCancelled() {
        Object s = state;
        if (s != null) {
            throw new CancelledException(((Cancel) s).reason);
        }
    }

    /**
     * Returns the reason, once cancelled.
     *
     * @return the reason, once cancelled
     */
    public final Optional<CancelReason> reason() {
        Object s = state;
        return s == null ? Optional.empty() : Optional.of(((Cancel) s).reason);
    }

    /**
     * Returns the effective deadline as a reading of {@link #clock()}, if there is one.
     *
     * @return the effective deadline as a reading of {@link #clock()}, if there is one
     */
    public final OptionalLong deadlineNanos() {
        long d = deadlineNanosOrMax();
        return d == NO_DEADLINE ? OptionalLong.empty() : OptionalLong.of(d);
    }

    /**
     * Returns the time left until the effective deadline (zero once passed), if there is one.
     *
     * @return the time left until the effective deadline (zero once passed), if there is one
     */
    public final Optional<Duration> remaining() {
        long d = deadlineNanosOrMax();
        if (d == NO_DEADLINE) {
            return Optional.empty();
        }
        long left = d - clock().nanoTime();
        return Optional.of(left <= 0 ? Duration.ZERO : Duration.ofNanos(left));
    }

    /**
     * Returns the clock of this token's tree.
     *
     * @return the clock of this token's tree
     */
    public final MonotonicClock clock() {
        CancellationToken t = this;
        while (!(t instanceof Root r)) {
            t = Objects.requireNonNull(t.parent());
        }
        return r.clock;
    }

    final long deadlineNanosOrMax() {
        for (CancellationToken t = this; ; t = Objects.requireNonNull(t.parent())) {
            if (t instanceof WithDeadline w) {
                return w.deadline;
            }
            if (t instanceof Root r) {
                return r.deadline;
            }
        }
    }

    final @Nullable CancellationToken parent() {
        Stripe s = home;
        return s == null ? null : s.owner;
    }

    // ------------------------------------------------------------------ callbacks and waits

    /**
     * Runs {@code callback} once when this token is cancelled, on the cancelling thread (or, for a
     * deadline, on a cancelkit thread); at once, on this thread, when it already is.
     *
     * @param callback what to run; keep it short and non-blocking
     * @return the registration: close it when the callback is no longer wanted
     */
    public final Registration onCancel(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        return Callback.register(this, callback);
    }

    /**
     * Waits until this token is cancelled. A library wait: a virtual clock counts the thread as parked.
     *
     * @throws InterruptedException when the thread is interrupted by someone other than cancelkit
     * @throws CancelledException when the token the thread is bound to is cancelled first
     */
    public final void awaitCancellation() throws InterruptedException {
        Waits.await(this);
    }

    /**
     * Waits until this token is cancelled or {@code timeout} has passed on this tree's clock.
     *
     * @param timeout how long at most
     * @return true when the token was cancelled, false when the time ran out
     * @throws InterruptedException when the thread is interrupted by someone other than cancelkit
     * @throws CancelledException when the token the thread is bound to is cancelled first
     */
    public final boolean awaitCancellation(Duration timeout) throws InterruptedException {
        Durations.requireTimeout(timeout, "timeout");
        if (isCancelled()) {
            return true;
        }
        try (CancellationToken limit = child(timeout)) {
            Waits.await(limit);
            return isCancelled();
        }
    }

    // ------------------------------------------------------------------ running bound code

    /**
     * Runs {@code body} on this thread bound to this token: {@link Cancellation#current()} is this
     * token inside, and a cancel interrupts the thread at its blocking calls (C4). When the call
     * returns, no interrupt that cancelkit sent is left on the thread.
     *
     * @param body the work
     * @param <T> its value
     * @param <X> the checked exception it may throw
     * @return what the body returned, even if the token was cancelled meanwhile
     * @throws CancelledException when the body ended because this token was cancelled (the body's
     *     exception is its cause)
     * @throws X what the body threw for any other reason
     */
    public final <T, X extends Exception> T call(CheckedCallable<T, X> body) throws X {
        Objects.requireNonNull(body, "body");
        return Binding.callBound(this, body, Binding.Mode.BIND, null);
    }

    /**
     * Runs {@code body} bound to this token; see {@link #call}.
     *
     * @param body the work
     * @param <X> the checked exception it may throw
     * @throws CancelledException when the body ended because this token was cancelled
     * @throws X what the body threw for any other reason
     */
    public final <X extends Exception> void run(CheckedRunnable<X> body) throws X {
        Objects.requireNonNull(body, "body");
        Binding.callBound(this, () -> {
            body.run();
            return null;
        }, Binding.Mode.BIND, null);
    }

    // ------------------------------------------------------------------ Link

    @Override
    final void onCancel(Cancel cancel) {
        throw new AssertionError("child tokens are marked by the tree walk, not run as listeners");
    }

    @Override
    final boolean fast() {
        return true;
    }

    @Override
    public String toString() {
        Object s = state;
        return this == NEVER ? "CancellationToken[never]"
                : s == null ? "CancellationToken[active]" : "CancellationToken[cancelled: " + ((Cancel) s).reason + "]";
    }
}
