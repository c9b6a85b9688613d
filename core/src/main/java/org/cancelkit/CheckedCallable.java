package org.cancelkit;

/**
 * A body that returns a value and may throw a checked exception of type {@code X}; the calls that
 * run it throw {@code X} too, so a body that throws no checked exception needs no {@code try}.
 *
 * @param <T> the value
 * @param <X> the checked exception the body may throw ({@link RuntimeException} when none)
 */
@FunctionalInterface
public interface CheckedCallable<T, X extends Exception> {
    /**
     * Runs the body.
     *
     * @return the value
     * @throws X when the body fails
     */
    T call() throws X;
}
