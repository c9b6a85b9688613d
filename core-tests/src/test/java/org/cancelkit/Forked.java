package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A body running on its own thread, with its outcome recorded: what it returned or threw, and whether
 * its thread's interrupt flag was set right after the body ended (the C4 check: a library interrupt
 * must not leak out of a bound region).
 *
 * <p>Waiting helpers never assert on time: {@link #join()} and {@link #awaitBlockedIn} wait for an
 * event that must happen, with a generous real-time limit that only turns a hang into a failure.
 *
 * @param <T> the body's value
 */
final class Forked<T> {
    /** Generous: only there to turn a hang into a readable failure. */
    static final Duration LIMIT = Duration.ofSeconds(30);

    final Thread thread;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile @Nullable T value;
    private volatile @Nullable Throwable failure;
    private volatile boolean interruptedAfter;

    private Forked(ThreadFactory factory, CheckedCallable<T, ?> body) {
        this.thread = factory.newThread(() -> {
            try {
                value = body.call();
            } catch (Throwable t) {
                failure = t;
            } finally {
                interruptedAfter = Thread.currentThread().isInterrupted();
                done.countDown();
            }
        });
    }

    static <T> Forked<T> start(ThreadFactory factory, CheckedCallable<T, ?> body) {
        Forked<T> f = new Forked<>(factory, body);
        f.thread.start();
        return f;
    }

    /** Waits until the body has ended. */
    Forked<T> join() throws InterruptedException {
        if (!done.await(LIMIT.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
            throw new AssertionError(thread + " did not end within " + LIMIT + "; it is at:\n" + stack(thread));
        }
        thread.join(); // the thread itself ends right after the latch
        return this;
    }

    boolean isDone() {
        return done.getCount() == 0;
    }

    /** The body's value; fails when it threw. */
    @Nullable T value() {
        Throwable f = failure;
        if (f != null) {
            throw new AssertionError("the body threw instead of returning", f);
        }
        return value;
    }

    /** What the body threw; fails when it returned. */
    Throwable failure() {
        Throwable f = failure;
        if (f == null) {
            throw new AssertionError("the body returned " + value + " instead of throwing");
        }
        return f;
    }

    /** Whether the interrupt flag was set right after the body ended. */
    boolean interruptedAfter() {
        return interruptedAfter;
    }

    /** Asserts the body ended (C4: no leaked interrupt) and returns what it threw. */
    Throwable joinFailure() throws InterruptedException {
        join();
        assertThat(interruptedAfter).as("C4: interrupt flag after the region").isFalse();
        return failure();
    }

    /**
     * Waits until the thread is parked in a frame whose class name ends with {@code classSuffix} and
     * whose method is {@code method}: the ordered-step way to know that the body has reached its
     * blocking call before the test cancels it.
     */
    Forked<T> awaitBlockedIn(String classSuffix, String method) {
        awaitBlockedIn(thread, classSuffix, method);
        return this;
    }

    static void awaitBlockedIn(Thread t, String classSuffix, String method) {
        awaitFrame(t, classSuffix, method, true);
    }

    /**
     * Waits until the thread is in the given frame, in any state: for native blocking calls that a
     * thread dump shows as RUNNABLE (a classic socket read on a platform thread).
     */
    static void awaitInFrame(Thread t, String classSuffix, String method) {
        awaitFrame(t, classSuffix, method, false);
    }

    private static void awaitFrame(Thread t, String classSuffix, String method, boolean parked) {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            Thread.State s = t.getState();
            if (s == Thread.State.TERMINATED) {
                throw new AssertionError(t + " ended before it blocked in " + classSuffix + "." + method);
            }
            if (!parked || s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING
                    || s == Thread.State.BLOCKED) {
                for (StackTraceElement e : t.getStackTrace()) {
                    if (e.getMethodName().equals(method) && e.getClassName().endsWith(classSuffix)) {
                        return;
                    }
                }
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError(t + " did not block in " + classSuffix + "." + method + " within " + LIMIT
                        + "; it is at:\n" + stack(t));
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    static String stack(Thread t) {
        return Arrays.stream(t.getStackTrace()).map(e -> "    at " + e).collect(Collectors.joining("\n"));
    }
}
