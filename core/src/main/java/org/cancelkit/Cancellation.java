package org.cancelkit;

import java.time.Duration;
import java.util.Objects;

/**
 * The implicit current token, for code deep in a call stack that should stop when its caller gives
 * up, without a token parameter.
 *
 * {@snippet :
 * void processAll(List<Item> items) {
 *     for (int i = 0; i < items.size(); i++) {
 *         if (i % 100 == 0) {
 *             Cancellation.check();              // a cancellation point in a CPU-bound loop
 *         }
 *         process(items.get(i));
 *     }
 *     Cancellation.shielded(Duration.ofSeconds(2), () -> flush()); // cleanup runs to the end
 * }
 * }
 *
 * <p>The current token is the one the running code is bound to ({@link CancellationToken#call},
 * {@link Timeout}, a task), held in a {@link ScopedValue}; outside any binding it is
 * {@link CancellationToken#never()}. Every method is thread-safe and acts on the calling thread.
 */
public final class Cancellation {
    private Cancellation() {}

    /**
     * Returns the token the running code is bound to, or the never-cancelled token. It is read-only:
     * the code that bound it may cancel it, the code that asks for it may not.
     *
     * @return the token the running code is bound to, or the never-cancelled token
     */
    public static CancellationToken current() {
        return Binding.currentView();
    }

    /**
     * Returns true when the current token is cancelled.
     *
     * @return true when the current token is cancelled
     */
    public static boolean isCancelled() {
        return Binding.currentToken().isCancelled();
    }

    /**
     * A cancellation point: throws when the current token is cancelled (soft or hard).
     *
     * @throws CancelledException when cancelled
     */
    public static void check() {
        CancellationPoints.check();
        Binding.currentToken().throwIfCancelled();
    }

    /**
     * Sleeps on the current clock: a cancellation point that wakes at once when the current token is
     * cancelled (soft or hard) and that a test clock (the testing kit's {@code VirtualClock}) drives.
     *
     * @param duration how long; zero returns at once after a check
     * @throws CancelledException when the current token is cancelled first
     * @throws InterruptedException when the thread is interrupted by someone other than cancelkit
     */
    public static void sleep(Duration duration) throws InterruptedException {
        Durations.requireTimeout(duration, "duration");
        CancellationPoints.reached();
        Binding.currentToken().throwIfCancelled();
        Node current = Binding.currentToken();
        MonotonicClock clock = Binding.currentClock();
        long now = clock.nanoTime();
        long deadline = Durations.deadlineAfter(now, Durations.toNanosSaturated(duration));
        if (deadline <= now) {
            return;
        }
        Node wake = current.newSleepChild(deadline); // a sleep ending is not a deadline firing (Emit)
        try {
            Waits.await(wake, false); // this sleep already counted as one cancellation point
            Cancel c = wake.state();
            if (c != null && c.reason.origin != wake) {
                throw new CancelledException(c.reason);
            }
        } finally {
            wake.close();
        }
    }

    /**
     * Registers a callback on the current token; see {@link CancellationToken#onCancel}.
     *
     * @param callback what to run on cancellation
     * @return the registration
     */
    public static Registration onCancel(Runnable callback) {
        return Binding.currentToken().onCancel(callback);
    }

    /**
     * Runs cleanup that must finish (C6): inside, outer cancellation is neither observed nor
     * delivered as an interrupt, and the thread's interrupt status is cleared and restored afterwards.
     * The shield's own budget still applies: past it the body is cancelled like a timeout's.
     *
     * @param budget how long the cleanup may take
     * @param body the cleanup
     * @param <T> its value
     * @param <X> the checked exception it may throw
     * @return what the body returned
     * @throws DeadlineExceededException when the budget ran out and stopped the body
     * @throws X what the body threw on its own
     */
    public static <T, X extends Exception> T shielded(Duration budget, CheckedCallable<T, X> body) throws X {
        Durations.requireTimeout(budget, "budget");
        Objects.requireNonNull(body, "body");
        MonotonicClock clock = Binding.currentClock();
        long deadline = Durations.deadlineAfter(clock.nanoTime(), Durations.toNanosSaturated(budget));
        return Binding.callBound(Node.root(clock, deadline), body, Binding.Mode.SHIELD, budget);
    }

    /**
     * Runs cleanup shielded; see {@link #shielded(Duration, CheckedCallable)}.
     *
     * @param budget how long the cleanup may take
     * @param body the cleanup
     * @param <X> the checked exception it may throw
     * @throws DeadlineExceededException when the budget ran out and stopped the body
     * @throws X what the body threw on its own
     */
    public static <X extends Exception> void shielded(Duration budget, CheckedRunnable<X> body) throws X {
        Objects.requireNonNull(body, "body");
        shielded(budget, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Runs {@code body} in a cancel-action region (C9): on cancellation of the current token the
     * thread is not interrupted; the action runs instead (once), and the escalation if the body is
     * still inside a grace period later. Use it where an interrupt does harm: a JDBC call (interrupting
     * it destroys the connection while the server keeps running the query), a write to a shared
     * {@link java.nio.channels.FileChannel} (an interrupt closes it).
     *
     * <p>When the body is left on a cancelled token and it failed or the action ran, the cancellation
     * surfaces as {@link CancelledException} (the body's exception is its cause). A body that
     * completes under a soft cancel, before the action ran, returns normally; the next cancellation
     * point reports the cancel. The region is not left while its action or escalation is running.
     * Entering the region checks the token: on a token already cancelled (soft or hard) the body does
     * not start and {@link CancelledException} is thrown, since an action run before the body had
     * started using its resource could not stop it.
     *
     * @param action what to do instead of an interrupt
     * @param body the work
     * @param <T> its value
     * @param <X> the checked exception it may throw
     * @return what the body returned
     * @throws CancelledException when cancellation stopped the body
     * @throws X what the body threw on its own
     */
    public static <T, X extends Exception> T withCancelAction(CancelAction action, CheckedCallable<T, X> body)
            throws X {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(body, "body");
        return ActionRegion.run(action, body);
    }
}
