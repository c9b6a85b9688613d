package org.cancelkit.testkit;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.CancellationSource;
import org.cancelkit.CheckedRunnable;
import org.cancelkit.testkit.internal.Recorder;
import org.cancelkit.testkit.internal.Sneaky;
import org.cancelkit.testkit.internal.Stacks;
import org.jspecify.annotations.Nullable;

/**
 * Assertions that state whether a call is a cancellation point, as Trio's
 * {@code assert_checkpoints()} / {@code assert_no_checkpoints()}.
 *
 * {@snippet :
 * assertCancellationPoint(() -> queue.awaitItem());         // it notices a cancel
 * assertNoCancellationPoint(() -> cache.putIfAbsent(k, v)); // it never throws CancelledException
 * int n = countCancellationPoints(() -> copy(src, dst));   // how many points it passes
 * }
 *
 * <h2>How</h2>
 * Both assertions run the operation on the calling thread, bound to a token that is <em>already
 * cancelled</em>, and count the cancelkit cancellation points it passes. Being a cancellation point
 * means noticing that: the operation must end with {@link org.cancelkit.CancelledException}. This
 * also sees interruptible JDK calls ({@code Thread.sleep}, {@code BlockingQueue.take}), which the
 * bound thread finds interrupted. Not being one means running to the end without passing any
 * cancelkit point and without reporting the cancel.
 *
 * <p>Each assertion runs the operation once; its side effects happen. Thread-safe (stateless).
 */
public final class CancellationAssertions {
    private CancellationAssertions() {}

    /**
     * Asserts that {@code operation} is a cancellation point: run under a cancelled token, it ends
     * with a {@link org.cancelkit.CancelledException}.
     *
     * @param operation the call
     * @throws AssertionError when it returned normally or failed with something else
     */
    public static void assertCancellationPoint(CheckedRunnable<?> operation) {
        Outcome o = runCancelled(operation);
        if (o.thrown instanceof CancellationException) {
            return;
        }
        String what = o.thrown == null ? "returned normally" : "failed with " + o.thrown;
        throw new AssertionError("expected a cancellation point, but the operation " + what
                + " under a token that was already cancelled (it passed " + o.points + " cancelkit"
                + " cancellation points" + (o.points > 0 ? " and swallowed what they threw" : "") + ")", o.thrown);
    }

    /**
     * Asserts that {@code operation} is not a cancellation point: run under a cancelled token, it
     * passes no cancelkit cancellation point and returns normally.
     *
     * @param operation the call
     * @throws AssertionError when it passed a point or ended with a cancellation (or any failure)
     */
    public static void assertNoCancellationPoint(CheckedRunnable<?> operation) {
        Outcome o = runCancelled(operation);
        if (o.points == 0 && o.thrown == null) {
            return;
        }
        StringBuilder sb = new StringBuilder("expected no cancellation point, but the operation ");
        if (o.points > 0) {
            sb.append("passed ").append(o.points).append(o.points == 1 ? " cancellation point" : " cancellation points")
                    .append(", the first at:\n").append(Stacks.render(o.firstStack, "    ", 8));
        } else {
            sb.append(o.thrown instanceof CancellationException
                    ? "noticed the cancelled token (an interruptible call?): " : "failed: ").append(o.thrown);
        }
        throw new AssertionError(sb.toString().stripTrailing(), o.thrown);
    }

    /**
     * Runs {@code operation} once, unperturbed, bound to a fresh token, and returns how many cancelkit
     * cancellation points it passed.
     *
     * @param operation the call
     * @param <X> what it may throw
     * @return the number of points
     * @throws X what the operation threw
     */
    public static <X extends Exception> int countCancellationPoints(CheckedRunnable<X> operation) throws X {
        Objects.requireNonNull(operation, "operation");
        AtomicInteger count = new AtomicInteger();
        Recorder recorder = new Recorder();
        recorder.recording(false);
        recorder.points(kind -> count.incrementAndGet());
        try {
            CancellationSource token = CancellationSource.create();
            recorder.bind(() -> {
                token.run(operation);
                return null;
            });
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        }
        return count.get();
    }

    private record Outcome(int points, List<StackTraceElement> firstStack, @Nullable Throwable thrown) {}

    private static Outcome runCancelled(CheckedRunnable<?> operation) {
        Objects.requireNonNull(operation, "operation");
        AtomicInteger count = new AtomicInteger();
        AtomicReference<List<StackTraceElement>> first = new AtomicReference<>(List.of());
        Recorder recorder = new Recorder();
        recorder.recording(false);
        recorder.points(kind -> {
            if (count.incrementAndGet() == 1) {
                first.set(Stacks.capture());
            }
        });
        CancellationSource token = CancellationSource.create();
        token.cancel("cancelled before the operation started, by a cancellation-point assertion");
        Throwable[] thrown = {null};
        try {
            recorder.bind(() -> {
                try {
                    token.run(operation);
                } catch (Throwable t) {
                    thrown[0] = t;
                }
                return null;
            });
        } catch (Exception e) {
            throw Sneaky.rethrow(e); // the recorder itself failed
        }
        return new Outcome(count.get(), first.get(), thrown[0]);
    }
}
