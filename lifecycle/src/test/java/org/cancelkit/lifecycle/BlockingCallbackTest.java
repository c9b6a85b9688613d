package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * L1, on the real clock: a worker's {@code onCancel} callback that blocks (a server's graceful stop, a
 * network close) must not hold the shutdown past its budget. Cancelling runs the callbacks on the
 * cancelling thread, so the shutdown sends each cancel from a thread of its own, waits for it until the
 * budget's end, and then reports the worker abandoned with the callback's stack. Negative control: with
 * the cancels sent from the shutdown thread itself, the sequence stays inside the callback and
 * {@code awaitTermination} does not return within the bound below (the reviewer's reproduction: 5 s
 * against a 1 s budget).
 */
class BlockingCallbackTest {
    @Test
    @DisplayName("L1: a worker whose onCancel callback blocks does not hold the shutdown past its budget")
    void blockingCallbackDoesNotHoldTheShutdown() throws Exception {
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Worker server = Worker.of("server", Duration.ofSeconds(1), token -> {
            token.onCancel(() -> {
                inCallback.countDown();
                awaitUninterruptibly(release); // a cleanup that does not end by itself
            });
            started.countDown();
            while (!token.isCancelled()) { // sees the soft cancel at once, whatever its callbacks do
                Thread.onSpinWait();
            }
        });
        Application app = Application.builder("blocking-callback").add(server)
                .budget(Duration.ofSeconds(2)).build().start();
        try {
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            app.shutdown("test");
            AtomicReference<@Nullable ShutdownReport> report = new AtomicReference<>();
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    report.set(app.awaitTermination());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // ends the waiter; the assertion below reports it
                }
            });
            waiter.join(Duration.ofSeconds(10)); // the event awaited: the report; bounded, not a sleep
            assertThat(inCallback.getCount()).as("the callback ran and is blocked").isZero();
            ShutdownReport r = report.get();
            assertThat(r).as("the shutdown ended while the callback was still blocked").isNotNull();
            WorkerReport ended = r.worker("server");
            assertThat(ended.outcome()).as("its cancel is still inside the callback: abandoned")
                    .isEqualTo(WorkerOutcome.ABANDONED);
            assertThat(ended.stack()).anyMatch(e -> e.getMethodName().equals("awaitUninterruptibly"));
        } finally {
            release.countDown();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // this cleanup ignores interrupts on purpose; the flag is restored below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
