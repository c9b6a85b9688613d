package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * C6: cleanup in {@link Cancellation#shielded} is not interrupted by outer cancellation and is bounded
 * by its own budget. The cleanup here blocks in a real interruptible call ({@code BlockingQueue.take}),
 * so an interrupt leaking into the shield would fail it.
 */
@org.junit.jupiter.api.Timeout(60)
class C6ShieldedCleanupTest {

    /** What the cleanup saw; filled in by the body thread. */
    static final class Seen {
        volatile boolean flagInside;
        volatile boolean cancelledInside;
        volatile boolean completed;
        volatile boolean flagAfterShield;
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C6: shielded cleanup completes while the outer token is cancelled (hard) mid-cleanup; the "
            + "interrupt arrives after the shield")
    void c6_cleanupCompletesThroughHardCancel(ThreadKind threads) throws Exception {
        CancellationSource token = CancellationSource.create();
        LinkedBlockingQueue<String> go = new LinkedBlockingQueue<>();
        Seen seen = new Seen();
        Forked<Void> body = threads.forkRun(() -> token.run(() -> {
            Cancellation.shielded(Duration.ofHours(1), () -> {
                assertThat(go.take()).isEqualTo("go"); // blocked here when the cancel lands
                seen.flagInside = Thread.currentThread().isInterrupted();
                seen.cancelledInside = Cancellation.isCancelled();
                seen.completed = true;
            });
            seen.flagAfterShield = Thread.currentThread().isInterrupted();
            Cancellation.check();
        }));
        body.awaitBlockedIn("LinkedBlockingQueue", "take");

        token.cancel("hard, mid-cleanup");
        go.put("go");

        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
        assertThat(seen.completed).as("C6: cleanup completed").isTrue();
        assertThat(seen.flagInside).as("C6: no interrupt inside").isFalse();
        assertThat(seen.cancelledInside).as("C6: outer cancel not observed inside").isFalse();
        assertThat(seen.flagAfterShield).as("C6: delivered once the shield is left").isTrue();
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C6 stress: 500 times, the outer cancel lands during cleanup entered with the interrupt "
            + "flag set; every cleanup completes and the flag is restored after the shield")
    void c6_cleanupWithFlagSet_repeated(ThreadKind threads) throws Exception {
        for (int i = 0; i < 500; i++) {
            CancellationSource token = CancellationSource.create();
            LinkedBlockingQueue<String> go = new LinkedBlockingQueue<>();
            CountDownLatch inCleanup = new CountDownLatch(1);
            Seen seen = new Seen();
            Forked<Void> body = threads.forkRun(() -> token.run(() -> {
                try {
                    Thread.sleep(60_000); // interrupted by the first cancel below
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // restore, as the rules require: the cleanup must cope
                    Cancellation.shielded(Duration.ofHours(1), () -> {
                        seen.flagInside = Thread.currentThread().isInterrupted();
                        inCleanup.countDown();
                        assertThat(go.take()).isEqualTo("go");
                        seen.completed = true;
                    });
                    seen.flagAfterShield = Thread.currentThread().isInterrupted();
                    throw e;
                }
            }));
            body.awaitBlockedIn("java.lang.Thread", "sleep");
            CancellationSource parent = token; // cancel hard, then cancel again "during" the cleanup
            parent.cancel("first");
            inCleanup.await();
            parent.cancel("again, during cleanup");
            go.put("go");

            assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
            assertThat(seen.completed).isTrue();
            assertThat(seen.flagInside).isFalse();
            assertThat(seen.flagAfterShield).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C6 (virtual time): a shield over its budget fails with DeadlineExceededException instead of "
            + "blocking for ever; not a nanosecond earlier")
    void c6_shieldOverBudget(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource token = clock.call(CancellationSource::create);
        Forked<String> body = threads.fork(() -> clock.call(() -> token.call(
                () -> Cancellation.shielded(Duration.ofSeconds(2), () -> new LinkedBlockingQueue<String>().take()))));
        body.awaitBlockedIn("LinkedBlockingQueue", "take");

        token.cancel(); // the outer cancel does not end it ...
        clock.advance(Duration.ofSeconds(2).minusNanos(1));
        assertThat(body.isDone()).isFalse();
        assertThat(body.thread.isInterrupted()).isFalse();
        clock.advance(Duration.ofNanos(1)); // ... its own budget does

        Throwable thrown = body.joinFailure();
        // the outer token was cancelled too, so token.call reports the cancel, the budget as its cause
        assertThat(thrown).isInstanceOf(CancelledException.class).hasCauseInstanceOf(DeadlineExceededException.class);
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C6: a shield's budget expiring with no outer cancel is a DeadlineExceededException to the caller")
    void c6_shieldBudgetAlone(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        Forked<String> body = threads.fork(() -> clock.call(
                () -> Cancellation.shielded(Duration.ofSeconds(2), () -> new LinkedBlockingQueue<String>().take())));
        body.awaitBlockedIn("LinkedBlockingQueue", "take");
        clock.advance(Duration.ofSeconds(2));
        assertThat(body.joinFailure()).isInstanceOf(DeadlineExceededException.class);
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C6: a timeout's deadline passing during a shield is held back until the shield is left")
    void c6_timeoutDeadlineHeldBackDuringShield(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        LinkedBlockingQueue<String> go = new LinkedBlockingQueue<>();
        AtomicBoolean cleaned = new AtomicBoolean();
        Forked<String> body = threads.fork(() -> clock.call(() -> Timeout.call(Duration.ofSeconds(1), () -> {
            Cancellation.shielded(Duration.ofHours(1), () -> {
                go.take();
                cleaned.set(true);
            });
            return new LinkedBlockingQueue<String>().take(); // the held-back interrupt ends this at once
        })));
        body.awaitBlockedIn("LinkedBlockingQueue", "take");
        clock.advance(Duration.ofSeconds(1));
        go.put("go");

        assertThat(body.joinFailure()).isInstanceOf(DeadlineExceededException.class);
        assertThat(cleaned).isTrue();
    }

    @Test
    @DisplayName("C6: inside a shield the current token is the shield's own, outside any binding too")
    void c6_shieldOutsideAnyBinding() throws Exception {
        CancellationToken outside = Cancellation.current();
        assertThat(outside).isEqualTo(CancellationToken.never());
        String value = Cancellation.shielded(Duration.ofSeconds(10), () -> {
            assertThat(Cancellation.current()).isNotSameAs(CancellationToken.never());
            assertThat(Cancellation.current().remaining()).isPresent();
            return "done";
        });
        assertThat(value).isEqualTo("done");
        assertThat(Cancellation.current()).isSameAs(CancellationToken.never());
        assertThatThrownBy(() -> Cancellation.shielded(Duration.ofSeconds(1), () -> {
            throw new IllegalStateException("its own failure");
        })).isInstanceOf(IllegalStateException.class);
    }
}
