package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Retry}: retry with a timeout per attempt, on a {@link VirtualClock}: exact attempt times
 * (jitter 0), the early {@link DeadlineExceededException} when the deadline cannot fit another
 * attempt, cancellation that stops it at once, non-retryable failures, and jitter within its bounds.
 */
@org.junit.jupiter.api.Timeout(60)
class RetryTest {

    static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    /** A body that fails {@code failures} times (recording when each attempt started), then returns "ok". */
    static final class Flaky implements CheckedCallable<String, IOException> {
        final List<Long> startedAtMillis = new CopyOnWriteArrayList<>();
        final List<IOException> thrown = new CopyOnWriteArrayList<>();
        final int failures;

        Flaky(int failures) {
            this.failures = failures;
        }

        @Override
        public String call() throws IOException {
            startedAtMillis.add(Duration.ofNanos(MonotonicClock.current().nanoTime()).toMillis());
            if (startedAtMillis.size() <= failures) {
                IOException e = new IOException("attempt " + startedAtMillis.size() + " failed");
                thrown.add(e);
                throw e;
            }
            return "ok";
        }
    }

    static Retry exact(int attempts) {
        return Retry.of(attempts).withJitter(0);
    }

    @Test
    @DisplayName("exact attempt times with jitter 0: back-off 100, 200, 400 ms; the last error is thrown unchanged")
    void exactAttemptTimes() throws Exception {
        Flaky body = new Flaky(Integer.MAX_VALUE);
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> assertThatThrownBy(() -> exact(4).call(body)).isSameAs(body.thrown.get(3)));
        assertThat(body.startedAtMillis).containsExactly(0L, 100L, 300L, 700L);
        assertThat(clock.nanoTime()).as("no wait after the last attempt").isEqualTo(ms(700).toNanos());
    }

    @Test
    @DisplayName("a success on the third attempt returns its value at 300 ms")
    void succeedsOnThirdAttempt() throws Exception {
        Flaky body = new Flaky(2);
        VirtualClock clock = VirtualClock.create().autoAdvance();
        assertThat(clock.call(() -> exact(5).call(body))).isEqualTo("ok");
        assertThat(body.startedAtMillis).containsExactly(0L, 100L, 300L);
    }

    @Test
    @DisplayName("the back-off is capped by maxBackoff")
    void backoffIsCapped() throws Exception {
        Flaky body = new Flaky(Integer.MAX_VALUE);
        VirtualClock clock = VirtualClock.create().autoAdvance();
        Retry r = exact(5).withMultiplier(10).withMaxBackoff(ms(500));
        clock.run(() -> assertThatThrownBy(() -> r.call(body)).isInstanceOf(IOException.class));
        assertThat(body.startedAtMillis).containsExactly(0L, 100L, 600L, 1100L, 1600L);
        assertThat(r.backoff(1)).isEqualTo(ms(100));
        assertThat(r.backoff(2)).isEqualTo(ms(500));
        assertThat(r.backoff(1_000)).as("no overflow").isEqualTo(ms(500));
    }

    @Test
    @DisplayName("deadline 1 s: attempts at 0, 100, 300, 700; the 800 ms back-off cannot fit: fails at once at 700 ms")
    void deadlineCannotFitAnotherAttempt() throws Exception {
        Flaky body = new Flaky(Integer.MAX_VALUE);
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> assertThatThrownBy(() -> Timeout.call(Duration.ofSeconds(1), () -> exact(10).call(body)))
                .isInstanceOfSatisfying(DeadlineExceededException.class, e -> {
                    assertThat(e.getMessage()).contains("retry: attempt 5 of 10 cannot start before the deadline");
                    assertThat(e.getCause()).as("the last attempt's error").isSameAs(body.thrown.get(3));
                }));
        assertThat(body.startedAtMillis).containsExactly(0L, 100L, 300L, 700L);
        assertThat(clock.nanoTime()).as("failed at once, without sleeping towards the deadline")
                .isEqualTo(ms(700).toNanos());
    }

    @Test
    @DisplayName("the deadline boundary: an attempt that would start exactly at the deadline is refused; 1 ns later fits")
    void deadlineBoundary() throws Exception {
        for (long deadlineNanos : new long[] {ms(1500).toNanos(), ms(1500).toNanos() + 1}) {
            Flaky body = new Flaky(4);
            VirtualClock clock = VirtualClock.create().autoAdvance();
            clock.run(() -> {
                CancellationSource t = TestTokens.withDeadline(CancellationSource.create(), deadlineNanos);
                if (deadlineNanos == ms(1500).toNanos()) {
                    assertThatThrownBy(() -> t.call(() -> exact(10).call(body)))
                            .isInstanceOf(DeadlineExceededException.class).hasCause(body.thrown.get(3));
                    assertThat(body.startedAtMillis).containsExactly(0L, 100L, 300L, 700L);
                } else {
                    assertThat(t.call(() -> exact(10).call(body))).isEqualTo("ok");
                    assertThat(body.startedAtMillis).containsExactly(0L, 100L, 300L, 700L, 1500L);
                }
            });
        }
    }

    @Test
    @DisplayName("negative control: without a deadline the same retry sleeps on to the 5th attempt")
    void withoutDeadlineItRetriesOn() throws Exception {
        Flaky body = new Flaky(4);
        VirtualClock clock = VirtualClock.create().autoAdvance();
        assertThat(clock.call(() -> exact(10).call(body))).isEqualTo("ok");
        assertThat(body.startedAtMillis).containsExactly(0L, 100L, 300L, 700L, 1500L);
    }

    @Test
    @DisplayName("an attempt's own timeout is a failed attempt, retried; the last one's DeadlineExceededException is thrown")
    void attemptTimeoutIsRetried() throws Exception {
        List<Long> starts = new CopyOnWriteArrayList<>();
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> assertThatThrownBy(() -> exact(3).withAttemptTimeout(Duration.ofSeconds(1)).call(() -> {
            starts.add(Duration.ofNanos(clock.nanoTime()).toMillis());
            Cancellation.sleep(Duration.ofSeconds(10));
            return "never";
        })).isInstanceOf(DeadlineExceededException.class).hasMessageContaining("1000 ms"));
        assertThat(starts).containsExactly(0L, 1100L, 2300L);
        assertThat(clock.nanoTime()).isEqualTo(ms(3300).toNanos());
    }

    @Test
    @DisplayName("cancelled during an attempt: stops at once with CancelledException, no further attempt")
    void cancelledDuringAttempt() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> {
            CancellationSource token = CancellationSource.create();
            Thread canceller = clock.fork("canceller", () -> {
                Cancellation.sleep(ms(50));
                token.cancel("user gave up");
            });
            assertThatThrownBy(() -> token.call(() -> exact(5).call(() -> {
                attempts.incrementAndGet();
                Cancellation.sleep(Duration.ofSeconds(10));
                return "never";
            }))).isInstanceOf(CancelledException.class);
            clock.join(canceller);
        });
        assertThat(attempts.get()).isEqualTo(1);
        assertThat(clock.nanoTime()).isEqualTo(ms(50).toNanos());
    }

    @Test
    @DisplayName("cancelled during the back-off: stops at once, no further attempt")
    void cancelledDuringBackoff() throws Exception {
        Flaky body = new Flaky(Integer.MAX_VALUE);
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> {
            CancellationSource token = CancellationSource.create();
            Thread canceller = clock.fork("canceller", () -> {
                Cancellation.sleep(ms(130));
                token.cancel("user gave up");
            });
            assertThatThrownBy(() -> token.call(() -> exact(5).call(body))).isInstanceOf(CancelledException.class);
            clock.join(canceller);
        });
        assertThat(body.startedAtMillis).containsExactly(0L, 100L);
        assertThat(clock.nanoTime()).isEqualTo(ms(130).toNanos());
    }

    @Test
    @DisplayName("regression: an attempt blocked in a plain blocking call and cancelled was offered to the retry predicate")
    void cancelledBlockingAttemptIsNotRetried() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger asked = new AtomicInteger();
        CountDownLatch blocked = new CountDownLatch(1);
        CancellationSource token = CancellationSource.create();
        Forked<String> caller = ThreadKind.VIRTUAL.fork(() -> token.call(() -> exact(5)
                .withRetryOn(e -> asked.incrementAndGet() >= 0)
                .call(() -> {
                    attempts.incrementAndGet();
                    blocked.countDown();
                    return new LinkedBlockingQueue<String>().take();
                })));
        blocked.await();
        caller.awaitBlockedIn("LinkedBlockingQueue", "take");
        token.cancel("stop");
        assertThat(caller.joinFailure()).isInstanceOf(CancelledException.class);
        assertThat(attempts.get()).isEqualTo(1);
        assertThat(asked.get()).as("a cancellation is not a failure to judge").isZero();
    }

    @Test
    @DisplayName("regression: a foreign interrupt (InterruptedException from the body) was retried and the interrupt lost")
    void foreignInterruptIsNotRetried() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> assertThatThrownBy(() -> exact(5).call(() -> {
            attempts.incrementAndGet();
            throw new InterruptedException("someone wants this thread to stop");
        })).isInstanceOf(InterruptedException.class));
        assertThat(attempts.get()).isEqualTo(1);
        assertThat(clock.nanoTime()).isZero();
    }

    @Test
    @DisplayName("a failure the predicate rejects is thrown at once, without a back-off")
    void nonRetryableThrownAtOnce() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        IllegalArgumentException bad = new IllegalArgumentException("bad request");
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> assertThatThrownBy(() -> exact(5).withRetryOn(e -> !(e instanceof IllegalArgumentException))
                .call(() -> {
                    attempts.incrementAndGet();
                    throw bad;
                })).isSameAs(bad));
        assertThat(attempts.get()).isEqualTo(1);
        assertThat(clock.nanoTime()).isZero();
    }

    @Test
    @DisplayName("a CancelledException from the body is never retried")
    void cancelledExceptionNeverRetried() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CancelledException ce = new CancelledException(CancelReason.requested("inner"));
        assertThatThrownBy(() -> exact(5).call(() -> {
            attempts.incrementAndGet();
            throw ce;
        })).isSameAs(ce);
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    @DisplayName("jitter stays within [1 - j, 1 + j] of the base, is centred on it, and is actually used")
    void jitterInBounds() {
        Retry r = Retry.of(10).withJitter(0.5).withInitialBackoff(ms(100)).withMultiplier(2);
        for (int attempt = 1; attempt <= 4; attempt++) {
            double base = ms(100).toNanos() * Math.pow(2, attempt - 1);
            double min = Double.MAX_VALUE;
            double max = 0;
            double sum = 0;
            int n = 20_000;
            for (int i = 0; i < n; i++) {
                double w = r.backoff(attempt).toNanos();
                assertThat(w).isBetween(0.5 * base, 1.5 * base);
                min = Math.min(min, w);
                max = Math.max(max, w);
                sum += w;
            }
            // uniform on [0.5, 1.5]: the mean of 20,000 draws is within 1% of the base with
            // overwhelming probability (sd of the mean ~0.2%); the extremes come within 5% of the bounds
            assertThat(sum / n / base).isBetween(0.99, 1.01);
            assertThat(min / base).isLessThan(0.55);
            assertThat(max / base).isGreaterThan(1.45);
        }
        assertThat(Retry.of(3).withJitter(0).backoff(3)).isEqualTo(ms(400));
    }

    @Test
    @DisplayName("configuration: a record with validated withX copies; defaults of Retry.of")
    void configuration() {
        Retry r = Retry.of(3);
        assertThat(r.maxAttempts()).isEqualTo(3);
        assertThat(r.initialBackoff()).isEqualTo(ms(100));
        assertThat(r.multiplier()).isEqualTo(2.0);
        assertThat(r.maxBackoff()).isEqualTo(Duration.ofSeconds(10));
        assertThat(r.jitter()).isEqualTo(0.2);
        assertThat(r.attemptTimeout()).isNull();
        Retry copy = r.withMaxAttempts(7).withAttemptTimeout(Duration.ofSeconds(2));
        assertThat(copy.maxAttempts()).isEqualTo(7);
        assertThat(copy.attemptTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(r.maxAttempts()).as("the original is unchanged").isEqualTo(3);
        assertThatThrownBy(() -> Retry.of(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> r.withJitter(1.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jitter");
        assertThatThrownBy(() -> r.withMultiplier(0.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> r.withMultiplier(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.withInitialBackoff(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.withRetryOn(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> r.call(null)).isInstanceOf(NullPointerException.class);
    }

    /** Retry under exploration: no attempt starts on a cancelled token, and a cancel surfaces as such. */
    static final class RetryCase implements TaskGroupPointExplorer.Case {
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger attemptsAfterCancel = new AtomicInteger();
        final AtomicReference<String> value = new AtomicReference<>();

        final boolean naiveLoop;

        RetryCase(boolean naiveLoop) {
            this.naiveLoop = naiveLoop;
        }

        @Override
        public Object call() throws Exception {
            if (naiveLoop) {
                // a hand-written retry-with-timeout loop that catches every exception: every failure, the cancel
                // included, is logged and retried
                for (int attempt = 1; attempt <= 4; attempt++) {
                    try {
                        return Timeout.call(ms(50), this::attempt);
                    } catch (Exception e) {
                        // "Attempt {} failed" / "Attempt {} timed out": and on to the next attempt
                    }
                }
                throw new IOException("all attempts failed");
            }
            return exact(4).withAttemptTimeout(ms(50)).call(this::attempt);
        }

        private String attempt() throws Exception {
            if (Cancellation.isCancelled()) {
                attemptsAfterCancel.incrementAndGet();
            }
            int n = attempts.incrementAndGet();
            Cancellation.check();
            Cancellation.sleep(ms(10));
            if (n < 3) {
                throw new IOException("flaky " + n);
            }
            value.set("ok");
            return "ok";
        }

        @Override
        public void check(TaskGroupPointExplorer.Run run) {
            assertThat(attemptsAfterCancel.get()).as("attempts started on a cancelled token").isZero();
            assertThat(attempts.get()).isBetween(0, 4);
            if (run.cancelled()) {
                assertThat(run.failure()).isInstanceOf(CancelledException.class);
            } else {
                assertThat(run.value()).isEqualTo("ok");
                assertThat(attempts.get()).isEqualTo(3);
            }
        }
    }

    @Test
    @DisplayName("cancellation-point exploration of a retry: cancelled at every point, it stops and never starts another attempt")
    void explored() throws Exception {
        TaskGroupPointExplorer.Result r = TaskGroupPointExplorer.explore(() -> new RetryCase(false));
        System.out.println("retry: " + r);
        assertThat(r.points()).isGreaterThanOrEqualTo(8);
        assertThat(r.violations()).isEmpty();
    }

    @Test
    @DisplayName("negative control: a hand-written retry loop that catches every exception is caught starting "
            + "attempts after the cancel")
    void exploredNaiveLoopIsCaught() throws Exception {
        TaskGroupPointExplorer.Result r = TaskGroupPointExplorer.explore(() -> new RetryCase(true));
        System.out.println("naive retry loop: " + r);
        assertThat(r.violations()).isNotEmpty();
        assertThat(r.violations().keySet()).contains(1);
    }
}
