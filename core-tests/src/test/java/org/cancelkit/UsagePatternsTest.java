package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Four everyday patterns written with cancelkit, each named after the pattern and the invariant it
 * exercises: cancellation points between computations, a timeout with a fallback, retry with a
 * timeout per attempt, and workers on child tokens of one parent. Time is a {@link VirtualClock};
 * steps are ordered, never slept.
 */
@org.junit.jupiter.api.Timeout(60)
class UsagePatternsTest {

    // ---------------------------------------------------------------- cancellation points between computations

    /**
     * Cancellation points between computations: computation, a wait, more computation, another wait.
     * The waits are cancellation points ({@link Cancellation#sleep}); the computations run to
     * completion. {@code cancelIn} names the computation during which the token is cancelled (0, 1 or
     * 2; -1 for never): that computation still finishes, and the next point throws.
     */
    static long cancellationPoints(List<String> log, Semaphore passed, int cancelIn) throws InterruptedException {
        long x = expensiveComputation(log, cancelIn == 0);      // non-cancellable: runs to completion
        log.add("point 1");
        Cancellation.sleep(Duration.ofMillis(10));               // CANCELLATION POINT
        passed.release();
        long y = moreComputation(x, log, cancelIn == 1);       // non-cancellable: runs to completion
        log.add("point 2");
        Cancellation.sleep(Duration.ofMillis(10));               // CANCELLATION POINT
        passed.release();
        long z = moreComputation(y, log, cancelIn == 2);
        log.add("done");
        return z;
    }

    static long expensiveComputation(List<String> log, boolean cancelMidway) {
        return compute(1, log, "expensive_computation", cancelMidway);
    }

    static long moreComputation(long x, List<String> log, boolean cancelMidway) {
        return compute(x, log, "more_computation", cancelMidway);
    }

    /** 1,000 steps of arithmetic; optionally cancels the current token after step 500, and carries on. */
    static long compute(long seed, List<String> log, String name, boolean cancelMidway) {
        long acc = seed;
        int steps = 0;
        for (int i = 0; i < 1_000; i++) {
            acc = acc * 31 + i;
            steps++;
            if (cancelMidway && i == 500) {
                TestTokens.source(Cancellation.current()).cancel("cancelled in " + name);
            }
        }
        log.add(name + " " + steps + " steps");
        return acc;
    }

    @ParameterizedTest(name = "Cancellation Points, {0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Cancellation points (C4): code between points runs to completion; a cancel made "
            + "during it is seen at the next point, and nothing after it runs")
    void cancelIsSeenAtTheNextPoint(ThreadKind threads) throws Exception {
        for (int cancelIn = -1; cancelIn <= 2; cancelIn++) {
            VirtualClock clock = VirtualClock.create();
            CancellationSource token = clock.call(CancellationSource::create);
            List<String> log = Collections.synchronizedList(new ArrayList<>());
            Semaphore passed = new Semaphore(0);
            int k = cancelIn;
            Forked<Long> body = threads.fork(() -> clock.call(() -> token.call(() -> cancellationPoints(log, passed, k))));
            int pointsPassed = cancelIn < 0 ? 2 : cancelIn;
            for (int p = 0; p < pointsPassed; p++) {
                clock.awaitParked(1);
                clock.advance(Duration.ofMillis(10));
                passed.acquire();
            }
            body.join();
            assertThat(body.interruptedAfter()).isFalse();
            List<String> expected = new ArrayList<>(List.of("expensive_computation 1000 steps", "point 1",
                    "more_computation 1000 steps", "point 2", "more_computation 1000 steps", "done"));
            if (cancelIn < 0 || cancelIn == 2) {
                // never cancelled, or cancelled in the last computation: no point follows it, so the
                // function completes and token.call returns its value
                assertThat(body.value()).isNotNull();
                assertThat(log).containsExactlyElementsOf(expected);
                assertThat(token.isCancelled()).isEqualTo(cancelIn == 2);
            } else {
                // the computation in which the cancel happened finished all its steps, then the next point threw
                int keep = 2 * cancelIn + 1;
                assertThat(log).as("cancelled in computation %d", cancelIn)
                        .containsExactlyElementsOf(expected.subList(0, Math.min(keep + 1, expected.size())));
                assertThat(body.failure()).isInstanceOf(CancelledException.class);
            }
        }
    }

    // ---------------------------------------------------------------- timeout with fallback

    static String fetchFromPrimary(LinkedBlockingQueue<String> primary) throws InterruptedException {
        return primary.take(); // a slow primary: answers only when fed
    }

    static String fetchFromCache() {
        return "cached";
    }

    @ParameterizedTest(name = "Timeout with fallback, {0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Timeout with fallback (C4, C1): the cache answers when the primary is slower than "
            + "5 s; the primary's answer when it is faster; an outer cancel is not hidden by the fallback")
    void timeoutWithFallback(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        LinkedBlockingQueue<String> primary = new LinkedBlockingQueue<>();
        AtomicInteger fallbacks = new AtomicInteger();

        // slow primary: the fallback
        Forked<String> slow = threads.fork(() -> clock.call(() -> Timeout.callOrElse(Duration.ofSeconds(5),
                () -> fetchFromPrimary(primary), () -> {
                    fallbacks.incrementAndGet();
                    return fetchFromCache();
                })));
        slow.awaitBlockedIn("LinkedBlockingQueue", "take");
        clock.advance(Duration.ofSeconds(5));
        slow.join();
        assertThat(slow.value()).isEqualTo("cached");
        assertThat(slow.interruptedAfter()).isFalse();

        // fast primary: its answer
        primary.put("fresh");
        Forked<String> fast = threads.fork(() -> clock.call(() -> Timeout.callOrElse(Duration.ofSeconds(5),
                () -> fetchFromPrimary(primary), UsagePatternsTest::fetchFromCache)));
        fast.join();
        assertThat(fast.value()).isEqualTo("fresh");

        // the caller's own cancel passes through: no fallback
        CancellationSource caller = clock.call(CancellationSource::create);
        Forked<String> cancelled = threads.fork(() -> clock.call(() -> caller.call(() -> Timeout.callOrElse(
                Duration.ofSeconds(5), () -> fetchFromPrimary(primary), () -> {
                    fallbacks.incrementAndGet();
                    return fetchFromCache();
                }))));
        cancelled.awaitBlockedIn("LinkedBlockingQueue", "take");
        caller.cancel();
        assertThat(cancelled.joinFailure()).isInstanceOf(CancelledException.class);
        assertThat(fallbacks).hasValue(1);
    }

    // ---------------------------------------------------------------- retry with a timeout per attempt

    /** Retry with a timeout per attempt: 3 attempts, each under 5 s; a failure or a timeout is logged. */
    static String retryWithTimeout(List<String> log, CheckedCallable<String, Exception> operation) {
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                return Timeout.call(Duration.ofSeconds(5), operation);
            } catch (DeadlineExceededException e) {
                log.add("Attempt " + attempt + " timed out");
            } catch (CancelledException e) {
                throw e; // not a failure of the attempt: the caller gave up
            } catch (Exception e) {
                log.add("Attempt " + attempt + " failed: " + e.getMessage());
            }
        }
        return "gave up";
    }

    @ParameterizedTest(name = "Retry with timeout, {0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Retry with a timeout per attempt (C4, C1): attempt 1 times out at 5 s, attempt 2 "
            + "fails, attempt 3 succeeds; 5 s of virtual time in all")
    void retryWithTimeoutPerAttempt(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger attempts = new AtomicInteger();
        CheckedCallable<String, Exception> operation = () -> switch (attempts.incrementAndGet()) {
            case 1 -> {
                Cancellation.sleep(Duration.ofSeconds(30)); // hangs past its timeout
                yield "too late";
            }
            case 2 -> throw new IOException("connection reset");
            default -> "result";
        };
        Forked<String> retry = threads.fork(() -> clock.call(() -> retryWithTimeout(log, operation)));
        clock.awaitParked(1);
        clock.advance(Duration.ofSeconds(5).minusNanos(1));
        assertThat(log).isEmpty();
        clock.advance(Duration.ofNanos(1));
        retry.join();

        assertThat(retry.value()).isEqualTo("result");
        assertThat(log).containsExactly("Attempt 1 timed out", "Attempt 2 failed: connection reset");
        assertThat(clock.nanoTime()).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(retry.interruptedAfter()).isFalse();
        assertThat(clock.pendingTimers()).isZero();

        // three timeouts in a row: the loop gives up after 15 s
        List<String> log2 = Collections.synchronizedList(new ArrayList<>());
        Forked<String> hopeless = threads.fork(() -> clock.call(() -> retryWithTimeout(log2, () -> {
            Cancellation.sleep(Duration.ofMinutes(1));
            return "never";
        })));
        for (int i = 0; i < 3; i++) {
            clock.awaitParked(1);
            clock.advance(Duration.ofSeconds(5));
        }
        hopeless.join();
        assertThat(hopeless.value()).isEqualTo("gave up");
        assertThat(log2).containsExactly("Attempt 1 timed out", "Attempt 2 timed out", "Attempt 3 timed out");
    }

    // ---------------------------------------------------------------- parent and child tokens

    /** A worker: takes and does work until its token is cancelled. */
    static int worker(CancellationSource cancel, LinkedBlockingQueue<String> work, AtomicInteger done) {
        try {
            cancel.run(() -> {
                while (true) {
                    work.take(); // blocks until there is work; a cancel interrupts it
                    done.incrementAndGet();
                }
            });
        } catch (CancelledException e) {
            return done.get(); // the cancel ends the loop
        } catch (InterruptedException e) {
            // Not from cancelkit (its interrupts surface as CancelledException): restore it, then fail.
            Thread.currentThread().interrupt();
            throw new AssertionError("an interrupt from outside cancelkit", e);
        }
        throw new AssertionError("the loop only ends by cancellation");
    }

    @ParameterizedTest(name = "CancellationToken parent/child, {0} threads")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Parent and child tokens (C2, C4): parent.cancel() stops both workers looping "
            + "on child tokens")
    void parentCancelStopsChildWorkers(ThreadKind threads) throws Exception {
        CancellationSource parent = CancellationSource.create();
        CancellationSource child1 = parent.child();
        CancellationSource child2 = parent.child();
        LinkedBlockingQueue<String> work1 = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> work2 = new LinkedBlockingQueue<>();
        AtomicInteger done1 = new AtomicInteger();
        AtomicInteger done2 = new AtomicInteger();
        Forked<Integer> w1 = threads.fork(() -> worker(child1, work1, done1));
        Forked<Integer> w2 = threads.fork(() -> worker(child2, work2, done2));
        for (int i = 0; i < 3; i++) {
            work1.put("item " + i);
            work2.put("item " + i);
        }
        // both workers have done their work and are waiting for more
        while (done1.get() < 3 || done2.get() < 3) {
            Thread.onSpinWait();
        }
        w1.awaitBlockedIn("LinkedBlockingQueue", "take");
        w2.awaitBlockedIn("LinkedBlockingQueue", "take");

        parent.cancel(); // Cancel all

        assertThat(w1.join().value()).isEqualTo(3);
        assertThat(w2.join().value()).isEqualTo(3);
        assertThat(w1.interruptedAfter()).isFalse();
        assertThat(w2.interruptedAfter()).isFalse();
        assertThat(child1.reason()).containsSame(parent.reason().orElseThrow());
        assertThat(child2.reason()).containsSame(parent.reason().orElseThrow());
    }
}
