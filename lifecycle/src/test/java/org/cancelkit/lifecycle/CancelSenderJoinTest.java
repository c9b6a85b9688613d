package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.testkit.CancelkitTest;
import org.cancelkit.testkit.VirtualClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * L1 on virtual time: the shutdown sends each cancel from a thread of its own and reports only after
 * that thread has ended (no thread it started outlives the report), or after the budget: then the
 * worker, whose cancel is still inside its {@code onCancel} callback, is reported abandoned with the
 * callback's stack. Ordered steps: the callback blocks on a latch the test releases.
 */
@CancelkitTest(autoAdvance = false)
class CancelSenderJoinTest {
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final Duration BUDGET = Duration.ofMinutes(1);

    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch inCallback = new CountDownLatch(1);
    private final AtomicReference<@Nullable Thread> worker = new AtomicReference<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicReference<@Nullable Thread> sender = new AtomicReference<>();

    /** A worker that ends as soon as it sees its cancel; its callback blocks until {@link #release}. */
    private Application start() {
        Worker server = Worker.of("server", GRACE, token -> {
            token.onCancel(() -> {
                sender.set(Thread.currentThread());
                inCallback.countDown();
                awaitUninterruptibly(release);
            });
            worker.set(Thread.currentThread());
            started.countDown();
            token.awaitCancellation(); // the soft cancel marks the token before its callbacks run
        });
        return Application.builder("sender").add(server).budget(BUDGET).build().start();
    }

    private void shutDownUntilTheCallbackBlocks(Application app, VirtualClock clock) throws Exception {
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue(); // the bound only guards a broken test
        app.shutdown("test");
        assertThat(inCallback.await(30, TimeUnit.SECONDS)).isTrue();
        Thread w = worker.get();
        assertThat(w).isNotNull();
        assertThat(w.join(Duration.ofSeconds(30))).isTrue(); // the bound only guards a broken test
        // The worker's thread has ended (its end is recorded before); the sequence now waits, on the clock, for the thread still in the callback.
        clock.awaitParked(1, Duration.ofSeconds(10));
        assertThat(app.state()).isEqualTo(Application.State.STOPPING);
    }

    @Test
    @DisplayName("L1: the report comes after the thread that sent the cancel has ended")
    void reportWaitsForTheSender(VirtualClock clock) throws Exception {
        Application app = start();
        try {
            shutDownUntilTheCallbackBlocks(app, clock);
            release.countDown();
            ShutdownReport report = app.awaitTermination();
            Thread t = sender.get();
            assertThat(t).isNotNull();
            assertThat(t.isAlive()).as("the sender has ended before the report").isFalse();
            assertThat(report.worker("server").outcome()).isEqualTo(WorkerOutcome.STOPPED_IN_GRACE);
            assertThat(report.took()).as("no clock time passed").isEqualTo(Duration.ZERO);
        } finally {
            release.countDown();
        }
    }

    @Test
    @DisplayName("L1: a cancel still inside its callback at the budget's end is reported abandoned, with the callback's stack")
    void senderPastTheBudgetIsReported(VirtualClock clock) throws Exception {
        Application app = start();
        try {
            shutDownUntilTheCallbackBlocks(app, clock);
            clock.advance(BUDGET.minusNanos(1));
            assertThat(app.state()).as("the last nanosecond of the budget").isEqualTo(Application.State.STOPPING);
            clock.advance(Duration.ofNanos(1));
            ShutdownReport report = app.awaitTermination();
            WorkerReport server = report.worker("server");
            assertThat(server.outcome()).isEqualTo(WorkerOutcome.ABANDONED);
            assertThat(server.stack()).anyMatch(e -> e.getMethodName().equals("awaitUninterruptibly"));
            assertThat(report.exitCode()).isEqualTo(ShutdownReport.EXIT_FORCED);
        } finally {
            release.countDown();
            Thread t = sender.get();
            if (t != null) {
                t.join(); // released above: no thread outlives the test
            }
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // this callback ignores interrupts on purpose; the flag is restored below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
