package org.cancelkit;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A node of a cancellation tree, seen from code that should stop when it is cancelled: it can be
 * observed, waited for, given callbacks and children, and code can be bound to it; it cannot be
 * cancelled through this type. Cancelling belongs to whoever created the node, who holds its
 * {@link CancellationSource}. {@link Cancellation#current()}, a task, a request handler and a job
 * item all receive a {@code CancellationToken}.
 *
 * {@snippet :
 * try (CancellationSource request = CancellationSource.create().child(Duration.ofSeconds(5))) {
 *     String body = request.call(() -> fetch(url));   // interrupted at its blocking calls on cancel
 * }
 *
 * void fetchAll(CancellationToken token) {                // a callee: may observe, never cancel
 *     try (CancellationSource part = token.child(Duration.ofSeconds(1))) {
 *         part.run(() -> fetch(other));                   // it owns the child it made
 *     }
 * }
 * }
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Cancellation is sticky and flows down (C2): once cancelled a token stays cancelled with one
 *       reason; when {@code cancel} returns, every descendant reports cancelled. Cancelling a child
 *       never cancels its parent or siblings.</li>
 *   <li>A child's effective deadline is the earlier of its own and its parent's (C3); a child's own
 *       deadline is armed whatever state its parent is in. Creating a child, {@link #remaining()} and
 *       {@link #deadline()} cost the same at any depth.</li>
 *   <li>An {@link #onCancel} callback runs exactly once, or never if its registration was closed
 *       first; registering on a cancelled token runs it at once; one failing callback does not stop
 *       the others (C5). A failing callback is reported to the running thread's uncaught-exception
 *       handler.</li>
 *   <li>{@link #isCancelled()} is a single volatile read: cheap enough for a hot loop (C7).</li>
 *   <li>A child unlinks from its parent when it is cancelled hard, expires or is closed; nothing in
 *       the tree grows with the number of tokens that have ended.</li>
 * </ul>
 *
 * <h2>Equality</h2>
 * Two handles are equal when they stand for the same node: a {@link CancellationSource} equals the
 * read-only tokens it hands out.
 *
 * <h2>Memory consistency</h2>
 * Actions of a thread before it cancels a token happen-before a callback registered with
 * {@link #onCancel} runs, and before {@link #isCancelled()} returns true in any thread.
 *
 * <p>Thread-safe. Every argument must be non-null.
 */
public abstract sealed class CancellationToken extends Link permits CancellationSource, TokenView {

    CancellationToken() {}

    /** The node this handle stands for. */
    abstract Node node();

    /**
     * Returns the token that is never cancelled and cannot be: what {@link Cancellation#current()}
     * is outside any bound code.
     *
     * @return the token that is never cancelled
     */
    public static CancellationToken never() {
        return TokenView.NEVER;
    }

    // ------------------------------------------------------------------ children

    /**
     * Returns a new child, owned by the caller: cancelled with this token, never the other way round.
     * Close it when it is no longer needed (try-with-resources).
     *
     * @return the child's source
     */
    public final CancellationSource child() {
        return node().newChild(Scope.NONE);
    }

    /**
     * A child with its own timeout, counted from now on this tree's clock. Its effective deadline is
     * the earlier of its own and this token's (C3).
     *
     * @param timeout not negative; zero means already expired; huge values saturate
     * @return the child's source
     */
    public final CancellationSource child(Duration timeout) {
        Durations.requireTimeout(timeout, "timeout");
        Node n = node();
        MonotonicClock clock = n == Node.NEVER ? MonotonicClock.current() : n.scope.clock;
        return n.newChild(Durations.deadlineAfter(clock.nanoTime(), Durations.toNanosSaturated(timeout)));
    }

    /**
     * A child with its own deadline, for passing a deadline from one token (or another service) to a
     * new one. Its effective deadline is the earlier of {@code deadline} and this token's (C3).
     *
     * @param deadline on this tree's clock
     * @return the child's source
     * @throws IllegalArgumentException when {@code deadline} is on another clock
     */
    public final CancellationSource child(Deadline deadline) {
        Objects.requireNonNull(deadline, "deadline");
        Node n = node();
        MonotonicClock clock = n == Node.NEVER ? MonotonicClock.current() : n.scope.clock;
        if (deadline.clock() != clock) {
            throw new IllegalArgumentException("the deadline is on " + deadline.clock() + " but this token's tree is on "
                    + clock + "; make the deadline with Deadline.after(duration, token.clock())");
        }
        return n.newChild(deadline.nanos());
    }

    // ------------------------------------------------------------------ queries

    /**
     * Returns true once cancelled, softly or hard: a single volatile read and a type test.
     *
     * @return true once cancelled
     */
    public final boolean isCancelled() {
        Object h = node().head;
        return h != null && !(h instanceof Link);
    }

    /**
     * A cancellation point: throws when the token is cancelled.
     *
     * @throws CancelledException when cancelled, with the reason
     */
    public final void throwIfCancelled() {
        Cancel c = node().state();
        if (c != null) {
            throw new CancelledException(c.reason);
        }
    }

    /**
     * Returns the reason, once cancelled.
     *
     * @return the reason, once cancelled
     */
    public final Optional<CancelReason> reason() {
        return Optional.ofNullable(node().reasonOrNull());
    }

    /**
     * Returns the effective deadline, if there is one.
     *
     * @return the effective deadline, if there is one
     */
    public final Optional<Deadline> deadline() {
        Scope s = node().scope;
        return s.deadline() == Scope.NONE ? Optional.empty() : Optional.of(new Deadline(s.clock, s.deadline()));
    }

    /**
     * Returns the time left until the effective deadline (zero once passed), if there is one.
     *
     * @return the time left until the effective deadline, if there is one
     */
    public final Optional<Duration> remaining() {
        Scope s = node().scope;
        if (s.deadline() == Scope.NONE) {
            return Optional.empty();
        }
        long left = s.deadline() - s.clock.nanoTime();
        return Optional.of(left <= 0 ? Duration.ZERO : Duration.ofNanos(left));
    }

    /**
     * Returns the clock of this token's tree.
     *
     * @return the clock of this token's tree
     */
    public final MonotonicClock clock() {
        return node().scope.clock;
    }

    /**
     * Returns this token as read-only: a handle that cannot cancel it, to pass to code that should
     * only observe it.
     *
     * @return a read-only handle on the same node (this very object when it already is one)
     */
    public CancellationToken token() {
        return this;
    }

    // ------------------------------------------------------------------ callbacks and waits

    /**
     * Runs {@code callback} once when this token is cancelled (softly or hard), on the cancelling
     * thread (or, for a deadline, on a cancelkit thread); at once, on this thread, when it already is.
     *
     * @param callback what to run; keep it short and non-blocking
     * @return the registration: close it when the callback is no longer wanted
     */
    public final Registration onCancel(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        return Callback.register(node(), callback);
    }

    /**
     * Runs {@code callback} once when this token is cancelled hard: at once on a hard cancel, when
     * the grace of a soft cancel has passed, or when a hard cancel or a deadline arrives during that
     * grace (C8); at once, on this thread, when it already is hard. For what must wait for the
     * interrupting phase, as a cancel passed on to another service that should get the same grace.
     *
     * @param callback what to run; keep it short and non-blocking
     * @return the registration: close it when the callback is no longer wanted
     */
    public final Registration onHardCancel(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        return Callback.register(node(), callback, true);
    }

    /**
     * Returns true once this token is cancelled hard (not, or no longer, in a soft cancel's grace).
     *
     * @return true once cancelled hard
     */
    public final boolean isCancelledHard() {
        return node().isHard();
    }

    /**
     * Waits until this token is cancelled. A library wait: a virtual clock counts the thread as parked.
     *
     * @throws InterruptedException when the thread is interrupted by someone other than cancelkit
     * @throws CancelledException when the token the thread is bound to is cancelled first
     */
    public final void awaitCancellation() throws InterruptedException {
        Waits.await(node());
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
        try (CancellationSource limit = child(timeout)) {
            Waits.await(limit.node());
            return isCancelled();
        }
    }

    // ------------------------------------------------------------------ running bound code

    /**
     * Runs {@code body} on this thread bound to this token: {@link Cancellation#current()} is this
     * token (read-only) inside, and a cancel interrupts the thread at its blocking calls (C4). When the
     * call returns, no interrupt that cancelkit sent is left on the thread.
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
        return Binding.callBound(node(), body, Binding.Mode.BIND, null);
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
        Binding.callBound(node(), () -> {
            body.run();
            return null;
        }, Binding.Mode.BIND, null);
    }

    // ------------------------------------------------------------------ identity

    @Override
    public final boolean equals(Object o) {
        return o instanceof CancellationToken t && t.node() == node();
    }

    @Override
    public final int hashCode() {
        return System.identityHashCode(node());
    }

    @Override
    public final String toString() {
        Node n = node();
        Cancel c = n.state();
        return n == Node.NEVER ? "CancellationToken[never]"
                : c == null ? "CancellationToken[active]"
                : "CancellationToken[cancelled" + (n.isHard() ? "" : " (soft)") + ": " + c.reason + "]";
    }
}
