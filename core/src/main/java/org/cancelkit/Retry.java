package org.cancelkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Retry with exponential back-off and jitter, a timeout per attempt, and respect for the caller's
 * deadline: a retry-with-timeout loop, made safe.
 *
 * {@snippet :
 * Retry retry = Retry.of(3).withAttemptTimeout(Duration.ofSeconds(5)).withInitialBackoff(Duration.ofMillis(200));
 * Response r = retry.call(() -> client.get(url));
 * }
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Cancellation stops it at once: a {@link CancelledException} is never retried, and the
 *       back-off wait is a cancellation point ({@link Cancellation#sleep}).</li>
 *   <li>It never sleeps past the current deadline: when the next attempt cannot start before the
 *       deadline, it fails at once with {@link DeadlineExceededException} whose cause is the last
 *       attempt's error.</li>
 *   <li>An attempt's own timeout ({@link DeadlineExceededException} from {@link #attemptTimeout()})
 *       counts as a failed attempt and is retried.</li>
 *   <li>After the last attempt, its error is thrown unchanged.</li>
 * </ul>
 * Back-off before attempt {@code n+1} is {@code min(maxBackoff, initialBackoff * multiplier^(n-1))},
 * then spread by {@code jitter}: multiplied by a random factor in {@code [1 - jitter, 1 + jitter]}.
 *
 * <p>Immutable and thread-safe; one {@code Retry} serves any number of calls.
 *
 * @param maxAttempts attempts in all, at least 1
 * @param initialBackoff the wait before the second attempt
 * @param multiplier how the wait grows, at least 1
 * @param maxBackoff the longest wait
 * @param jitter the spread of each wait, between 0 and 1
 * @param attemptTimeout the timeout of each attempt, or null for none
 * @param retryOn which failures are retried (never cancellations)
 */
public record Retry(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff, double jitter,
                    @Nullable Duration attemptTimeout, Predicate<? super Exception> retryOn) {

    /** Validates every part and says which one is wrong. */
    public Retry {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        Durations.requireTimeout(initialBackoff, "initialBackoff");
        Durations.requireTimeout(maxBackoff, "maxBackoff");
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number >= 1, was " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
        }
        if (attemptTimeout != null) {
            Durations.requireTimeout(attemptTimeout, "attemptTimeout");
        }
        Objects.requireNonNull(retryOn, "retryOn");
    }

    /**
     * {@code maxAttempts} attempts, 100 ms initial back-off doubling up to 10 s, 20% jitter, no
     * attempt timeout, every exception retried (but cancellations).
     *
     * @param maxAttempts attempts in all
     * @return the configuration
     */
    public static Retry of(int maxAttempts) {
        return new Retry(maxAttempts, Duration.ofMillis(100), 2.0, Duration.ofSeconds(10), 0.2, null, e -> true);
    }

    /**
     * Returns a copy with another initial back-off.
     *
     * @param d the wait before the second attempt
     * @return the copy
     */
    public Retry withInitialBackoff(Duration d) {
        return new Retry(maxAttempts, d, multiplier, maxBackoff, jitter, attemptTimeout, retryOn);
    }

    /**
     * Returns a copy with another multiplier.
     *
     * @param m how the wait grows
     * @return the copy
     */
    public Retry withMultiplier(double m) {
        return new Retry(maxAttempts, initialBackoff, m, maxBackoff, jitter, attemptTimeout, retryOn);
    }

    /**
     * Returns a copy with another longest wait.
     *
     * @param d the longest wait
     * @return the copy
     */
    public Retry withMaxBackoff(Duration d) {
        return new Retry(maxAttempts, initialBackoff, multiplier, d, jitter, attemptTimeout, retryOn);
    }

    /**
     * Returns a copy with another jitter.
     *
     * @param j the spread, 0 for exact waits
     * @return the copy
     */
    public Retry withJitter(double j) {
        return new Retry(maxAttempts, initialBackoff, multiplier, maxBackoff, j, attemptTimeout, retryOn);
    }

    /**
     * Returns a copy with a timeout per attempt.
     *
     * @param d each attempt's timeout
     * @return the copy
     */
    public Retry withAttemptTimeout(Duration d) {
        return new Retry(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, Objects.requireNonNull(d, "d"), retryOn);
    }

    /**
     * Returns a copy that retries only what {@code p} accepts.
     *
     * @param p which failures to retry
     * @return the copy
     */
    public Retry withRetryOn(Predicate<? super Exception> p) {
        return new Retry(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, attemptTimeout, p);
    }

    /**
     * Returns a copy with another number of attempts.
     *
     * @param n attempts in all
     * @return the copy
     */
    public Retry withMaxAttempts(int n) {
        return new Retry(n, initialBackoff, multiplier, maxBackoff, jitter, attemptTimeout, retryOn);
    }

    /**
     * Runs {@code body} until it returns, a failure is not retryable, the attempts are used up, or the
     * deadline leaves no room for another attempt.
     *
     * @param body one attempt
     * @param <T> its value
     * @param <X> the checked exception it may throw
     * @return what the successful attempt returned
     * @throws X the last attempt's failure, or a non-retryable one
     * @throws DeadlineExceededException when the next attempt cannot fit before the current deadline
     * @throws CancelledException when cancelled
     * @throws InterruptedException when interrupted (by someone other than cancelkit) during a back-off
     */
    public <T, X extends Exception> T call(CheckedCallable<T, X> body) throws X, InterruptedException {
        Objects.requireNonNull(body, "body");
        for (int attempt = 1; ; attempt++) {
            Cancellation.check();
            Exception failure;
            try {
                return attemptTimeout == null ? body.call() : Timeout.call(attemptTimeout, body);
            } catch (CancelledException e) {
                throw e;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    // The thread was asked to stop, by cancelkit or by its owner: never retried.
                    throw e;
                }
                if (Cancellation.isCancelled()) {
                    // The attempt ended because the current token was cancelled (an interrupted
                    // blocking call, say): not a failure to offer to retryOn. Stop at once.
                    throw e;
                }
                if (!retryOn.test(e) || attempt == maxAttempts) {
                    throw e;
                }
                failure = e;
            }
            Duration wait = backoff(attempt);
            Scope scope = Binding.currentToken().scope;
            long deadline = scope.deadline();
            if (deadline != Scope.NONE) {
                long now = scope.clock.nanoTime();
                if (deadline - now <= Durations.toNanosSaturated(wait)) {
                    throw new DeadlineExceededException("retry: attempt " + (attempt + 1) + " of " + maxAttempts
                            + " cannot start before the deadline (back-off " + Durations.format(wait) + ", "
                            + Durations.format(Duration.ofNanos(Math.max(0, deadline - now))) + " left)", failure);
                }
            }
            Cancellation.sleep(wait);
        }
    }

    /**
     * Returns the wait after attempt {@code attempt} (1-based), jitter applied.
     *
     * @param attempt the attempt that just failed
     * @return the wait before the next one
     */
    public Duration backoff(int attempt) {
        double base = Durations.toNanosSaturated(initialBackoff) * Math.pow(multiplier, attempt - 1);
        double capped = Math.min(base, (double) Durations.toNanosSaturated(maxBackoff));
        double spread = jitter == 0 ? 1.0 : 1.0 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Duration.ofNanos((long) Math.min(Long.MAX_VALUE / 2.0, capped * spread));
    }
}
