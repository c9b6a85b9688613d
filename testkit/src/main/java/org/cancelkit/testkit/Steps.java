package org.cancelkit.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Ordered steps, as kotlinx.coroutines' test base ({@code expect(n)} / {@code finish(n)}): number
 * the steps of a test across its threads, and the test fails the moment they happen in another
 * order. States an interleaving instead of sleeping until it has probably happened.
 *
 * {@snippet :
 * @CancelkitTest
 * class WorkerTest {
 *     @Test
 *     void theWorkerSeesTheCancelWhileAsleep(VirtualClock clock, Steps steps) throws Exception {
 *         CancellationSource token = CancellationSource.create();
 *         steps.expect(1);
 *         Thread worker = clock.fork("worker", () -> {
 *             try {
 *                 token.run(() -> {
 *                     steps.expect(2);
 *                     Cancellation.sleep(Duration.ofHours(1));
 *                     steps.expectUnreached();
 *                 });
 *             } catch (CancelledException e) {
 *                 steps.expect(4);                 // woken by the cancel, not by the clock
 *             }
 *         });
 *         clock.awaitParked(1);                    // the worker is in its sleep
 *         steps.expect(3);
 *         token.cancel();
 *         clock.join(worker);
 *         steps.finish(5);
 *     }
 * }
 * }
 *
 * <p>A step out of order throws {@link AssertionError} on the thread that took it, and is remembered:
 * {@link #assertFinished()} (which the JUnit extension calls after each test that took a
 * {@code Steps} parameter) throws it again, so a failure on a forked thread is never lost. Once any
 * step was taken, {@link #finish} must be reached.
 *
 * <p>Thread-safe. Memory consistency: actions before {@code expect(n)} happen-before actions after
 * {@code expect(n + 1)} on any thread, and after {@link #awaitStep}{@code (n)} returns.
 */
public final class Steps {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** The last step taken, 0 before the first. Guarded by {@link #lock}. */
    private int current;
    /** Whether {@link #finish} was reached. Guarded by {@link #lock}. */
    private boolean finished;
    /** The first step out of order. Guarded by {@link #lock}. */
    private @Nullable AssertionError firstFailure;

    /** Creates steps with none taken. */
    public Steps() {}

    /**
     * Takes step {@code step}, which must be the next one: the first is 1.
     *
     * @param step the step's number
     * @throws AssertionError when it is not the next step, or {@link #finish} was reached already
     */
    public void expect(int step) {
        lock.lock();
        try {
            if (finished) {
                throw fail("step " + step + " was reached after finish(" + current + ")");
            }
            if (step != current + 1) {
                throw fail("expected step " + (current + 1) + " next, but step " + step + " was reached"
                        + " on thread \"" + Thread.currentThread().getName() + "\"");
            }
            current = step;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the last step, which must be the next one.
     *
     * @param step the step's number
     * @throws AssertionError when it is not the next step
     */
    public void finish(int step) {
        lock.lock();
        try {
            expect(step);
            finished = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Marks code that must never run.
     *
     * @throws AssertionError always
     */
    public void expectUnreached() {
        lock.lock();
        try {
            throw fail("reached code that should be unreachable, after step " + current
                    + ", on thread \"" + Thread.currentThread().getName() + "\"");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until step {@code step} has been taken, on real time with a generous limit of 30 seconds:
     * Trio's {@code Sequencer}, for a thread that must not go on before another has reached a step.
     *
     * @param step the step to wait for
     * @throws InterruptedException when interrupted while waiting
     * @throws AssertionError when the step is not taken within the limit
     */
    public void awaitStep(int step) throws InterruptedException {
        awaitStep(step, Duration.ofSeconds(30));
    }

    /**
     * Waits until step {@code step} has been taken, on real time.
     *
     * @param step the step to wait for
     * @param realTimeout how long at most
     * @throws InterruptedException when interrupted while waiting
     * @throws AssertionError when the step is not taken within the limit
     */
    public void awaitStep(int step, Duration realTimeout) throws InterruptedException {
        Objects.requireNonNull(realTimeout, "realTimeout");
        long nanos = realTimeout.toNanos();
        lock.lock();
        try {
            while (current < step) {
                if (nanos <= 0) {
                    throw fail("step " + step + " was not reached within " + realTimeout + "; the last step was "
                            + current);
                }
                nanos = changed.awaitNanos(nanos); // InterruptedException propagates: the caller decides
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the last step taken, 0 before the first.
     *
     * @return the last step taken
     */
    public int current() {
        lock.lock();
        try {
            return current;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fails when a step was taken out of order (on any thread), or steps were taken but
     * {@link #finish} was not reached.
     *
     * @throws AssertionError the first step out of order, or what is missing
     */
    public void assertFinished() {
        lock.lock();
        try {
            if (firstFailure != null) {
                throw firstFailure;
            }
            if (current > 0 && !finished) {
                throw new AssertionError("finish(" + (current + 1) + ") was never reached: the last step taken was "
                        + current);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the first step taken out of order, if any.
     *
     * @return the failure, or null
     */
    @Nullable AssertionError firstFailure() {
        lock.lock();
        try {
            return firstFailure;
        } finally {
            lock.unlock();
        }
    }

    private AssertionError fail(String message) {
        AssertionError e = new AssertionError(message);
        if (firstFailure == null) {
            firstFailure = e;
        }
        return e;
    }

    @Override
    public String toString() {
        return "Steps[current=" + current() + "]";
    }
}
