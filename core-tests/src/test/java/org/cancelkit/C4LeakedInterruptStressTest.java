package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * C4, leaked interrupts: a timeout whose deadline fires at about the moment its body returns, 100,000
 * times per thread kind, on the real system timer. After every return or throw the interrupt flag must
 * be what it would have been without cancelkit: clear, or set when the caller had set it on entry.
 *
 * <p>The body spins for 0–60 µs and then passes one cancellation point; the timeout is 0–40 µs. The
 * timer thread's wake-up latency is of the same order, so the deadline lands before, during and just
 * after the body. The test counts where it landed and fails if it never landed in the dangerous window
 * (after the body's last cancellation point, before the timeout returned): a stress run that misses the
 * window proves nothing.
 *
 * <p>Negative control: the same detector, run over a naive timeout that interrupts the caller from a
 * scheduler and only cancels the scheduled task on return, reports strays.
 */
@org.junit.jupiter.api.Timeout(120)
class C4LeakedInterruptStressTest {
    static final int ITERATIONS = 100_000;

    /** A timeout implementation under test. */
    @FunctionalInterface
    interface TimeoutImpl {
        /** Runs {@code body} with a timeout; returns the token it was bound to, or null when none. */
        CancellationToken call(long timeoutNanos, CheckedRunnable<RuntimeException> body);
    }

    /** Where each deadline landed, and what the detector saw. */
    static final class Tally {
        long returned;          // body returned, deadline had not fired by close
        long returnedRaced;     // body returned, deadline fired after its last point: the window
        long expired;           // body stopped at its cancellation point: DeadlineExceededException
        long strayInterrupts;   // flag set after the call though the caller had not set it
        long lostInterrupts;    // flag clear after the call though the caller had set it

        @Override
        public String toString() {
            return "returned=" + returned + " returnedRaced=" + returnedRaced + " expired=" + expired
                    + " stray=" + strayInterrupts + " lost=" + lostInterrupts;
        }
    }

    static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /** The leak detector: runs {@code n} calls and checks the interrupt flag after each. */
    static Tally detect(TimeoutImpl impl, int n, long seed, boolean stopAtFirstStray) {
        SplittableRandom random = new SplittableRandom(seed);
        Tally tally = new Tally();
        for (int i = 0; i < n; i++) {
            long timeout = random.nextLong(40_001);
            long work = random.nextLong(60_001);
            boolean callerInterrupted = random.nextInt(10) == 0;
            if (callerInterrupted) {
                Thread.currentThread().interrupt(); // the caller's own interrupt: must survive the call
            }
            CancellationToken bound = null;
            try {
                bound = impl.call(timeout, () -> {
                    spin(work);
                    Cancellation.check();
                });
                if (bound != null && bound.reason().orElseThrow().kind() == CancelReason.Kind.DEADLINE) {
                    tally.returnedRaced++;
                } else {
                    tally.returned++;
                }
            } catch (DeadlineExceededException e) {
                tally.expired++;
            }
            boolean flag = Thread.interrupted(); // read and clear, for the next round
            if (flag && !callerInterrupted) {
                tally.strayInterrupts++;
                if (stopAtFirstStray) {
                    return tally;
                }
            } else if (!flag && callerInterrupted) {
                tally.lostInterrupts++;
            }
        }
        return tally;
    }

    /** cancelkit's timeout; the body reports the token it ran under. */
    static CancellationToken cancelkit(long timeoutNanos, CheckedRunnable<RuntimeException> body) {
        return Timeout.call(Duration.ofNanos(timeoutNanos), () -> {
            body.run();
            return Cancellation.current();
        });
    }

    @ParameterizedTest(name = "C4 leaked-interrupt stress, {0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C4: 100,000 deadlines racing their body's return leave 0 stray and 0 lost interrupts")
    void c4_noStrayInterruptsWhenDeadlineRacesReturn(ThreadKind threads) throws Exception {
        long seed = Long.getLong("cancelkit.seed", System.nanoTime());
        System.out.println("C4LeakedInterruptStressTest " + threads + ": seed " + seed
                + " (replay with -Dcancelkit.seed=" + seed + ")");
        Tally tally = threads.fork(() -> detect(C4LeakedInterruptStressTest::cancelkit, ITERATIONS, seed, false))
                .join().value();
        System.out.println("C4LeakedInterruptStressTest " + threads + ": " + tally);

        assertThat(tally.strayInterrupts).as("C4: stray interrupts (seed %d)", seed).isZero();
        assertThat(tally.lostInterrupts).as("C4: caller interrupts lost (seed %d)", seed).isZero();
        // The stress must have exercised every landing place, or it proves nothing.
        assertThat(tally.returnedRaced).as("deadlines that fired after the body's last point").isPositive();
        assertThat(tally.expired).as("deadlines that stopped the body").isPositive();
        assertThat(tally.returned).as("bodies that beat their deadline").isPositive();
    }

    @Test
    @DisplayName("C4 negative control: the detector finds the stray interrupts of a naive timeout")
    void c4_negativeControl_detectorFindsLeakOfNaiveTimeout() {
        try (ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor()) {
            TimeoutImpl naive = (timeoutNanos, body) -> {
                Thread caller = Thread.currentThread();
                ScheduledFuture<?> interrupt = scheduler.schedule(caller::interrupt, timeoutNanos, TimeUnit.NANOSECONDS);
                try {
                    body.run();
                } finally {
                    interrupt.cancel(false); // too late if it already ran: the interrupt stays behind
                }
                return null;
            };
            Tally tally = detect(naive, ITERATIONS, 42, true);
            assertThat(tally.strayInterrupts).as("the detector must see the naive timeout's leak").isPositive();
            Thread.interrupted(); // the naive timeout may have left one more behind
        }
    }
}
