package org.cancelkit;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Timeouts that stop the work, not just the waiting.
 *
 * {@snippet :
 * // fails with DeadlineExceededException after 2 s; the fetch has stopped when it does
 * Profile p = Timeout.call(Duration.ofSeconds(2), () -> client.fetchProfile(id));
 *
 * // a timeout with a fallback
 * Config c = Timeout.callOrElse(Duration.ofSeconds(5), () -> fetchFromPrimary(), () -> fetchFromCache());
 * }
 *
 * <p>The body runs on the calling thread, bound to a child of {@link Cancellation#current()} whose
 * deadline is the earlier of the timeout and the current deadline (C3): no extra thread, no executor.
 * When the deadline passes, the body is interrupted at its blocking calls and sees cancellation at its
 * checks. When a timeout returns or throws, its body has finished (C1), and no interrupt that
 * cancelkit sent is left on the thread (C4).
 *
 * <h2>Outcomes</h2>
 * <ul>
 *   <li>The body returned: its value, even if the deadline passed just after.</li>
 *   <li>This timeout's own deadline stopped the body: {@link DeadlineExceededException} (from
 *       {@code call}/{@code run}), empty (from {@code callOrEmpty}), or the fallback.</li>
 *   <li>An outer cancellation stopped the body (an enclosing token or an earlier outer deadline):
 *       {@link CancelledException}, from every form. A fallback never hides an outer cancel.</li>
 *   <li>The body failed on its own: its exception, unchanged.</li>
 * </ul>
 *
 * <p>Arguments must be non-null; a negative timeout is an {@link IllegalArgumentException};
 * {@link Duration#ZERO} is already expired (the body starts, and is stopped at its first
 * cancellation point); enormous timeouts saturate.
 */
public final class Timeout {
    private Timeout() {}

    /**
     * Runs {@code body} with a timeout.
     *
     * @param timeout how long the body may take
     * @param body the work
     * @param <T> its value
     * @param <X> the checked exception it may throw
     * @return what the body returned
     * @throws DeadlineExceededException when this timeout's deadline stopped the body
     * @throws CancelledException when an outer cancellation stopped it
     * @throws X what the body threw on its own
     */
    public static <T, X extends Exception> T call(Duration timeout, CheckedCallable<T, X> body) throws X {
        Durations.requireTimeout(timeout, "timeout");
        Objects.requireNonNull(body, "body");
        return Binding.callBound(newTimeout(timeout), body, Binding.Mode.TIMEOUT, timeout);
    }

    /**
     * Runs {@code body} with a timeout.
     *
     * @param timeout how long the body may take
     * @param body the work
     * @param <X> the checked exception it may throw
     * @throws DeadlineExceededException when this timeout's deadline stopped the body
     * @throws CancelledException when an outer cancellation stopped it
     * @throws X what the body threw on its own
     */
    public static <X extends Exception> void run(Duration timeout, CheckedRunnable<X> body) throws X {
        Objects.requireNonNull(body, "body");
        call(timeout, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Runs {@code body} with a timeout, and returns empty when this timeout's deadline stopped it
     * (Trio's {@code move_on_after}).
     *
     * @param timeout how long the body may take
     * @param body the work; must not return null
     * @param <T> its value
     * @param <X> the checked exception it may throw
     * @return what the body returned, or empty
     * @throws CancelledException when an outer cancellation stopped it
     * @throws X what the body threw on its own
     */
    public static <T, X extends Exception> Optional<T> callOrEmpty(Duration timeout, CheckedCallable<T, X> body)
            throws X {
        Durations.requireTimeout(timeout, "timeout");
        Objects.requireNonNull(body, "body");
        Node token = newTimeout(timeout);
        try {
            return Optional.of(Objects.requireNonNull(Binding.callBound(token, body, Binding.Mode.TIMEOUT, timeout),
                    "the body of callOrEmpty returned null; return a value, or use call(...) for a nullable one"));
        } catch (DeadlineExceededException e) {
            if (e.origin != token) {
                throw e; // an inner timeout's, escaped from the body: not this one's to swallow
            }
            return Optional.empty();
        }
    }

    /**
     * Runs {@code body} with a timeout, and runs {@code fallback} when this timeout's deadline stopped
     * it. The fallback runs outside the timeout, bound to the caller's token as before.
     *
     * @param timeout how long the body may take
     * @param body the work
     * @param fallback what to return instead
     * @param <T> the value
     * @param <X> the checked exception body and fallback may throw
     * @return what the body or the fallback returned
     * @throws CancelledException when an outer cancellation stopped it
     * @throws X what the body or fallback threw on its own
     */
    public static <T, X extends Exception> T callOrElse(Duration timeout, CheckedCallable<T, X> body,
                                                        CheckedCallable<T, X> fallback) throws X {
        Durations.requireTimeout(timeout, "timeout");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(fallback, "fallback");
        Node token = newTimeout(timeout);
        try {
            return Binding.callBound(token, body, Binding.Mode.TIMEOUT, timeout);
        } catch (DeadlineExceededException e) {
            if (e.origin != token) {
                throw e; // an inner timeout's, escaped from the body: not this one's to handle
            }
            return fallback.call();
        }
    }

    /** A child of the current token with {@code timeout} from now, on the current clock (read once). */
    private static Node newTimeout(Duration timeout) {
        MonotonicClock clock = Binding.currentClock();
        long now = clock.nanoTime();
        long deadline = Durations.deadlineAfter(now, Durations.toNanosSaturated(timeout));
        // On the system clock the timer fires an entry already due at its next tick, so arming need not
        // read the clock again; a virtual clock's timer fires only on an advance, so it is read again.
        return Binding.currentToken().newChild(deadline, clock == SystemClock.INSTANCE ? clock : null, now);
    }
}
