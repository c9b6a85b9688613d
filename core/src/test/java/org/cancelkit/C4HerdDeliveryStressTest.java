package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cancelkit.internal.FanOut;
import org.cancelkit.internal.SystemTimer;
import org.cancelkit.internal.TimerEntry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * C4 for a herd, on the real system timer: {@value #N} virtual threads each in a 1 ms
 * {@code Timeout.call} blocked in {@code Thread.sleep}, with the timer held (by an entry that waits for
 * the test) until every deadline has passed, so that all of them fall due in one tick and are fired in
 * parallel (SystemTimer, invariant 7). Every bound thread must be interrupted and unwind with
 * {@link DeadlineExceededException}, and no interrupt may be left on any thread afterwards: each then
 * waits on a latch the test opens only after several redelivery periods, so an interrupt landing late
 * would fail that wait.
 *
 * <p>Negative control: the same detector sees a stray interrupt sent to one thread after its call.
 */
@org.junit.jupiter.api.Timeout(120)
class C4HerdDeliveryStressTest {
    static final int N = 2_000;

    /** What the herd's threads saw. */
    record Tally(int expired, int otherOutcome, int strays) {}

    static Tally runHerd(int straysToSend) throws Exception {
        CountDownLatch timerHeld = new CountDownLatch(1);
        CountDownLatch releaseTimer = new CountDownLatch(1);
        SystemTimer.INSTANCE.arm(new TimerEntry(System.nanoTime()) {
            @Override
            protected boolean isRetired() {
                return false;
            }

            @Override
            protected void fire() {
                timerHeld.countDown();
                awaitUninterruptibly(releaseTimer); // holds the timer so that the herd falls due together
            }
        });
        assertThat(timerHeld.await(30, TimeUnit.SECONDS)).as("the timer is held").isTrue();
        CountDownLatch started = new CountDownLatch(N);
        CountDownLatch returned = new CountDownLatch(N);
        CountDownLatch checkStrays = new CountDownLatch(1);
        long[] deadlines = new long[N];
        AtomicInteger expired = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicInteger strays = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            int idx = i;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    Timeout.call(Duration.ofMillis(1), () -> {
                        deadlines[idx] = System.nanoTime() + Cancellation.current().remaining().orElseThrow().toNanos();
                        started.countDown();
                        Thread.sleep(60_000);
                        return null;
                    });
                    other.incrementAndGet();
                } catch (DeadlineExceededException e) {
                    expired.incrementAndGet();
                } catch (Throwable t) {
                    other.incrementAndGet();
                }
                if (Thread.currentThread().isInterrupted()) {
                    strays.incrementAndGet();
                }
                returned.countDown();
                try {
                    checkStrays.await();
                } catch (InterruptedException e) {
                    strays.incrementAndGet(); // an interrupt that landed after the call returned: counted, not kept
                }
            }));
        }
        assertThat(started.await(60, TimeUnit.SECONDS)).as("every body started").isTrue();
        long last = 0;
        for (long d : deadlines) {
            last = Math.max(last, d);
        }
        while (System.nanoTime() - last <= 0) {
            Thread.sleep(1); // every deadline has passed while the timer is held
        }
        long sharesBefore = FanOut.sharesHandedOutForTesting();
        releaseTimer.countDown();
        assertThat(returned.await(60, TimeUnit.SECONDS)).as("every bound thread was interrupted and returned").isTrue();
        assertThat(FanOut.sharesHandedOutForTesting()).as("the herd was fired in parallel").isGreaterThan(sharesBefore);
        for (int i = 0; i < straysToSend; i++) {
            threads.get(i).interrupt();
        }
        Thread.sleep(5 * Redelivery.PERIOD_NANOS / 1_000_000); // several redelivery rounds pass them by
        checkStrays.countDown();
        for (Thread t : threads) {
            t.join();
        }
        return new Tally(expired.get(), other.get(), strays.get());
    }

    static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // keep holding until the test releases; restored below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    @DisplayName("C4: a herd fired in parallel interrupts every bound thread and leaves no stray interrupt")
    void herdInterruptsEveryThreadNoStray() throws Exception {
        Tally t = runHerd(0);
        assertThat(t.expired()).as("threads stopped by their deadline").isEqualTo(N);
        assertThat(t.otherOutcome()).isZero();
        assertThat(t.strays()).as("stray interrupts").isZero();
    }

    @Test
    @DisplayName("C4 negative control: the detector counts an interrupt sent after the call returned")
    void negativeControl_strayIsSeen() throws Exception {
        Tally t = runHerd(1);
        assertThat(t.expired()).isEqualTo(N);
        assertThat(t.strays()).isEqualTo(1);
    }
}
