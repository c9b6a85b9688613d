package org.cancelkit.grpc;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancelReason;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.jspecify.annotations.Nullable;

/**
 * What a handler saw, for a test to wait on and check: its token, thread and remaining time at entry,
 * and how its body ended. The latches are the test's ordered steps: no test sleeps to wait for a
 * handler.
 */
final class Probe {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch unwound = new CountDownLatch(1);
    volatile @Nullable CancellationToken token;
    volatile @Nullable Thread thread;
    volatile Optional<Duration> remaining = Optional.empty();
    volatile @Nullable Throwable endedWith;
    volatile @Nullable CancelReason reasonAtEnd;

    /** Records the entry of the handler running on this thread. */
    void enter() {
        CancellationToken t = Cancellation.current();
        token = t;
        thread = Thread.currentThread();
        remaining = t.remaining();
        entered.countDown();
    }

    /** Records how the body ended. */
    void exit(@Nullable Throwable failure) {
        endedWith = failure;
        CancellationToken t = token;
        reasonAtEnd = t == null ? null : t.reason().orElse(null);
        unwound.countDown();
    }

    /** Runs a blocking body as a handler: entry, body, exit recorded. */
    <T> T around(Echo.Unary body, String request) throws Exception {
        enter();
        try {
            T value = cast(body.handle(request));
            exit(null);
            return value;
        } catch (Exception | Error e) {
            exit(e);
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("timed out after 10 s waiting for: " + what);
        }
    }

    CancellationToken token() {
        CancellationToken t = token;
        if (t == null) {
            throw new AssertionError("the handler never ran");
        }
        return t;
    }

    Thread thread() {
        Thread t = thread;
        if (t == null) {
            throw new AssertionError("the handler never ran");
        }
        return t;
    }
}
