package org.cancelkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Try-commit-cancel: an abort action that runs on every exit unless {@link #commit()} disarmed it
 * first: an RAII guard and try-commit-cancel, in Java.
 *
 * {@snippet :
 * long tempId = db.insertTempUser(user);
 * try (var guard = Guard.of(() -> db.deleteTempUser(tempId))) {   // abort: undo the insert
 *     db.commitUser(tempId);                                       // may be cancelled or fail
 *     guard.commit();                                              // success: disarm
 * }
 * }
 *
 * <h2>The abort</h2>
 * It runs at most once, from {@link #close()}, in {@link Cancellation#shielded} with its own budget
 * (10 s unless given): an outer cancel neither reaches nor interrupts it (C6), and it cannot block
 * for ever.
 *
 * <h2>Exceptions</h2>
 * As Guava's {@code Closer}: when the body threw, its exception wins and the abort's failure is
 * suppressed on it (try-with-resources does this); when the body did not throw, the abort's failure
 * is thrown from {@code close}.
 *
 * <p>Thread-safe: commit and close may race; exactly one of "committed" and "aborted" happens.
 *
 * @param <X> the checked exception the abort may throw
 */
public final class Guard<X extends Exception> implements AutoCloseable {
    /** The budget of an abort when none is given. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(10);

    private final CheckedRunnable<X> abort;
    private final Duration budget;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile boolean aborted;

    private Guard(CheckedRunnable<X> abort, Duration budget) {
        this.abort = abort;
        this.budget = budget;
    }

    /**
     * Arms a guard with the default budget.
     *
     * @param abort what undoes the work
     * @param <X> what the abort may throw
     * @return the armed guard
     */
    public static <X extends Exception> Guard<X> of(CheckedRunnable<X> abort) {
        return of(DEFAULT_BUDGET, abort);
    }

    /**
     * Arms a guard.
     *
     * @param budget how long the abort may take
     * @param abort what undoes the work
     * @param <X> what the abort may throw
     * @return the armed guard
     */
    public static <X extends Exception> Guard<X> of(Duration budget, CheckedRunnable<X> abort) {
        Durations.requireTimeout(budget, "budget");
        return new Guard<>(Objects.requireNonNull(abort, "abort"), budget);
    }

    /**
     * Runs {@code body}; if it does not return normally (it failed or was cancelled), runs
     * {@code onCancel}: try-commit-cancel.
     *
     * @param body the work
     * @param onCancel what undoes it, shielded with the default budget
     * @param <T> its value
     * @param <X> what body and abort may throw
     * @return what the body returned
     * @throws X what the body threw (the abort's failure suppressed on it), or what the abort threw
     */
    public static <T, X extends Exception> T call(CheckedCallable<T, X> body, CheckedRunnable<X> onCancel)
            throws X {
        Objects.requireNonNull(body, "body");
        try (Guard<X> guard = of(onCancel)) {
            T value = body.call();
            guard.commit();
            return value;
        }
    }

    /**
     * Disarms the guard: the work is committed and the abort will not run.
     *
     * @return true when this call disarmed it; false when it had already committed or aborted
     */
    public boolean commit() {
        return done.compareAndSet(false, true);
    }

    /**
     * Tells whether the abort ran.
     *
     * @return true once it has run (or started)
     */
    public boolean isAborted() {
        return aborted;
    }

    /**
     * Runs the abort, shielded, unless committed; idempotent.
     *
     * @throws X what the abort threw
     * @throws DeadlineExceededException when the abort ran past its budget
     */
    @Override
    public void close() throws X {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        aborted = true;
        Cancellation.shielded(budget, abort);
    }
}
