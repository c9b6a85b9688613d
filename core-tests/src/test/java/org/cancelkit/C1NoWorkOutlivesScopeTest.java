package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

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
 * C1: no work outlives its scope. {@link Timeout} and {@code token.call} run their body on the calling
 * thread, so "the body has finished when they return" is about stragglers: a body that ignores the
 * first interrupt and keeps going must still have finished before the call returns or throws. Each test
 * holds the straggler at a known step and checks, by ordered steps, that the call has not returned yet.
 * (Task groups, which do start threads, are the task group tests' business.)
 */
@org.junit.jupiter.api.Timeout(60)
class C1NoWorkOutlivesScopeTest {

    /**
     * A body that is interrupted in its first blocking call, carries on regardless (with the flag
     * restored, as the rules require), straggles until released, and then returns or fails.
     */
    static String straggler(Steps steps, CountDownLatch release, AtomicBoolean finished, boolean failAtEnd)
            throws InterruptedException {
        try {
            new LinkedBlockingQueue<String>().take();
            throw new AssertionError("the queue is never fed");
        } catch (InterruptedException first) {
            Thread.currentThread().interrupt(); // restored as the rules require; the straggle below ignores it
            steps.expect(2);
            C9CancelActionRegionTest.awaitIgnoringInterrupts(release); // the straggle: not stopped by interrupts
            steps.expect(4);
            finished.set(true);
            if (failAtEnd) {
                throw first;
            }
            return "late";
        }
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C1: a Timeout whose body ignores the first interrupt returns only after the body has finished")
    void c1_timeoutWaitsForStraggler(ThreadKind threads) throws Exception {
        for (boolean failAtEnd : new boolean[] {false, true}) {
            VirtualClock clock = VirtualClock.create();
            Steps steps = new Steps();
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean finished = new AtomicBoolean();
            Forked<String> call = threads.fork(() -> clock.call(() -> {
                try {
                    return Timeout.call(Duration.ofSeconds(1), () -> straggler(steps, release, finished, failAtEnd));
                } finally {
                    steps.expect(5);
                    assertThat(finished).as("C1: the body finished before Timeout returned").isTrue();
                }
            }));
            call.awaitBlockedIn("LinkedBlockingQueue", "take");
            steps.expect(1);

            clock.advance(Duration.ofSeconds(1));
            Forked.awaitBlockedIn(call.thread, "CountDownLatch", "await"); // the straggler, at step 2
            steps.expect(3);
            assertThat(call.isDone()).as("C1: Timeout has not returned while its body straggles").isFalse();
            release.countDown();

            call.join();
            steps.finish(6);
            assertThat(call.interruptedAfter()).as("C4: no interrupt leaks").isFalse();
            if (failAtEnd) {
                assertThat(call.failure()).isInstanceOf(DeadlineExceededException.class);
            } else {
                assertThat(call.value()).as("a body that returns has its value returned").isEqualTo("late");
            }
        }
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C1: token.call whose body ignores the first interrupt returns only after the body has finished")
    void c1_tokenCallWaitsForStraggler(ThreadKind threads) throws Exception {
        CancellationSource token = CancellationSource.create();
        Steps steps = new Steps();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        Forked<String> call = threads.fork(() -> {
            try {
                return token.call(() -> straggler(steps, release, finished, true));
            } finally {
                steps.expect(5);
                assertThat(finished).isTrue();
            }
        });
        call.awaitBlockedIn("LinkedBlockingQueue", "take");
        steps.expect(1);

        token.cancel();
        Forked.awaitBlockedIn(call.thread, "CountDownLatch", "await");
        steps.expect(3);
        assertThat(call.isDone()).isFalse();
        release.countDown();

        assertThat(call.joinFailure()).isInstanceOf(CancelledException.class);
        steps.finish(6);
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C1: a callback registered with try-with-resources in a Timeout body, running on the "
            + "cancelling thread, has finished when the Timeout returns")
    void c1_scopedCallbackFinishedWhenTimeoutReturns(ThreadKind threads) throws Exception {
        CancellationSource outer = CancellationSource.create();
        Steps steps = new Steps();
        CountDownLatch callbackStarted = new CountDownLatch(1);
        CountDownLatch releaseCallback = new CountDownLatch(1);
        AtomicBoolean callbackDone = new AtomicBoolean();
        Forked<Boolean> call = threads.fork(() -> outer.call(() -> {
            try {
                Timeout.run(Duration.ofHours(1), () -> {
                    try (Registration r = Cancellation.onCancel(() -> {
                        steps.expect(1);
                        callbackStarted.countDown();
                        C9CancelActionRegionTest.awaitIgnoringInterrupts(releaseCallback);
                        callbackDone.set(true);
                        steps.expect(3);
                    })) {
                        assertThat(r.isPending()).isTrue();
                        try {
                            Thread.sleep(60_000); // exists only to be interrupted by the cancel
                        } catch (InterruptedException e) {
                            // rethrown below; first make sure the callback is running when r is closed
                            C9CancelActionRegionTest.awaitIgnoringInterrupts(callbackStarted);
                            throw e;
                        }
                    }
                });
                return false;
            } catch (CancelledException e) {
                steps.expect(4);
                return callbackDone.get();
            }
        }));
        call.awaitBlockedIn("java.lang.Thread", "sleep");
        // The canceller runs the callback: the enclosing token's binding is interrupted first (its list
        // comes before its child's in the walk), then the callback blocks on that thread.
        Forked<Boolean> canceller = threads.fork(outer::cancel);
        callbackStarted.await();
        Forked.awaitBlockedIn(call.thread, "Callback", "unregister"); // closing waits for the running callback
        steps.expect(2);
        releaseCallback.countDown();

        call.join();
        canceller.join();
        assertThat(call.value()).as("C1: the callback finished before the Timeout returned").isTrue();
        assertThat(call.interruptedAfter()).isFalse();
        steps.finish(5);
    }
}
