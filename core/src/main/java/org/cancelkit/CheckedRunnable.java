package org.cancelkit;

/**
 * A body that returns nothing and may throw a checked exception of type {@code X}.
 *
 * @param <X> the checked exception the body may throw ({@link RuntimeException} when none)
 */
@FunctionalInterface
public interface CheckedRunnable<X extends Exception> {
    /**
     * Runs the body.
     *
     * @throws X when the body fails
     */
    void run() throws X;
}
