package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A delivered interrupt is reported before the interrupted region returns (Binding invariant 5): a
 * listener of {@link CancelEvent.InterruptDelivered} that is still running when the interrupted body
 * ends holds the region's return until it has run, so the region's caller never sees a world where its
 * interrupt is not reported yet (a timeline, a per-request counter).
 *
 * <p>The order is forced with steps: the listener waits until the body has ended, then takes 100 ms
 * before it logs, so a region that returned without waiting would log first. Negative control: the same
 * listener handing its work to another thread (the report off the cancel path) logs after the return.
 */
@org.junit.jupiter.api.Timeout(60)
class InterruptReportOrderTest {

    @Test
    @DisplayName("invariant 5: the InterruptDelivered listener has run before the interrupted region returns")
    void theReportComesBeforeTheReturn() throws Exception {
        assertThat(run(Runnable::run)).containsExactly("reported", "returned");
    }

    @Test
    @DisplayName("negative control: a report made off the cancel path comes after the return")
    void negativeControl_aReportOffThePathComesLate() throws Exception {
        assertThat(run(work -> Thread.ofVirtual().start(work))).containsExactly("returned", "reported");
    }

    /** Cancels a region blocked in a sleep; {@code how} runs the listener's work. Returns the log. */
    private static List<String> run(Consumer<Runnable> how) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch bodyEnded = new CountDownLatch(1);
        CountDownLatch reported = new CountDownLatch(1);
        CancellationSource source = CancellationSource.create();
        Thread caller = Thread.ofVirtual().name("caller").start(() -> {
            try {
                source.call(() -> {
                    try {
                        blocked.countDown();
                        Thread.sleep(TimeUnit.DAYS.toMillis(1));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // the cancel's: the region clears it on return (C4)
                    } finally {
                        bodyEnded.countDown();
                    }
                    return null;
                });
            } catch (Exception e) {
                log.add("failed: " + e);
            }
            log.add("returned");
        });
        CancelEvents.Subscription hook = CancelEvents.register(e -> {
            if (e instanceof CancelEvent.InterruptDelivered) {
                how.accept(() -> {
                    try {
                        assertThat(bodyEnded.await(30, TimeUnit.SECONDS)).isTrue();
                        Thread.sleep(100); // a slow listener: the region returns first unless it waits
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt(); // not expected; the log shows the order either way
                    }
                    log.add("reported");
                    reported.countDown();
                });
            }
        });
        try {
            blocked.await();
            source.cancel("stop");
            caller.join();
            assertThat(reported.await(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            hook.close();
        }
        return log;
    }
}
