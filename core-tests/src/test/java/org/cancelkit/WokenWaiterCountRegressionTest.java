package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.cancelkit.spi.ClockService;
import org.cancelkit.spi.TimerTask;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The parked count a virtual clock keeps (what {@code awaitParked} and auto-advance read) is right
 * when a cancel returns, also when the waiter woke early and took its count back itself: a sleeper
 * that did so and was preempted before telling the clock made {@code VirtualTimeTest.hoursOfVirtualTime}
 * jump to the ten-hour deadline (the clock saw the sleeper parked while it was about to arm its next
 * sleep). Ordered steps: a callback that runs in the cancel before the waiter's own listener unparks the
 * waiter (a spurious wake-up, after the token is marked), and the service holds the waiter inside its
 * {@code parked(-1)} until the canceller has either returned (the defect) or is waiting for that
 * decrement to finish (the invariant).
 */
class WokenWaiterCountRegressionTest {

    /** Counts parked threads; holds the waiter's decrement as described above. */
    static final class HoldingService implements ClockService {
        final AtomicInteger parked = new AtomicInteger();
        final CountDownLatch parkedOnce = new CountDownLatch(1);
        final CountDownLatch inDecrement = new CountDownLatch(1);
        volatile @Nullable Thread holdFor;
        volatile @Nullable Thread canceller;
        volatile boolean cancelReturned;

        @Override
        public long nanoTime() {
            return 0;
        }

        @Override
        public void arm(TimerTask task) {}

        @Override
        public void parked(int delta, boolean participant) {
            if (delta < 0 && Thread.currentThread() == holdFor) {
                inDecrement.countDown();
                Thread c = canceller;
                // Observes the canceller's state (returned, or blocked on the waiter's count); not a timed wait.
                while (!cancelReturned && (c == null || c.getState() != Thread.State.BLOCKED)) {
                    Thread.onSpinWait();
                }
            }
            parked.addAndGet(delta);
            if (delta > 0) {
                parkedOnce.countDown();
            }
        }
    }

    @Test
    @DisplayName("a waiter that wakes early is no longer counted as parked once the cancel that woke it returns")
    void wokenWaiterIsUncountedWhenTheCancelReturns() throws Exception {
        HoldingService service = new HoldingService();
        MonotonicClock clock = new ClockServiceTest.ServiceClock(service);
        CancellationSource token = clock.call(CancellationSource::create);
        AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                token.awaitCancellation();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        service.holdFor = waiter;
        assertThat(service.parkedOnce.await(30, TimeUnit.SECONDS)).isTrue(); // the bound only guards a broken test
        AtomicReference<@Nullable String> callback = new AtomicReference<>();
        // Registered after the waiter's listener, so it runs first: the token is marked, the waiter's
        // listener has not run yet.
        token.onCancel(() -> {
            LockSupport.unpark(waiter); // an early wake-up: the waiter sees the token cancelled
            try {
                callback.set(service.inDecrement.await(30, TimeUnit.SECONDS) ? "held" : "the waiter never left");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // not expected; restored for the cancel to see
            }
        });
        service.canceller = Thread.currentThread();
        token.cancel("wake");
        int parkedWhenCancelReturned = service.parked.get();
        service.cancelReturned = true;
        waiter.join();

        assertThat(callback.get()).isEqualTo("held");
        assertThat(failure.get()).isNull();
        assertThat(parkedWhenCancelReturned).as("parked threads when the cancel returned").isZero();
        assertThat(service.parked.get()).isZero();
    }
}
