package org.cancelkit.spi;

/**
 * One deadline armed on a {@link ClockService}. Core creates it; the service fires it.
 *
 * <p>Thread-safe: {@link #deadline()} never changes, {@link #isRetired()} may be read from any thread,
 * {@link #fire()} is called once, by the service.
 */
public interface TimerTask {
    /**
     * Returns the deadline, a reading of the service's {@link ClockService#nanoTime()}.
     *
     * @return the deadline, a reading of the service's {@link ClockService#nanoTime()}
     */
    long deadline();

    /**
     * Returns true once the deadline is no longer wanted (its token was cancelled or closed): the
     * service may drop the task without firing it.
     *
     * @return true once the deadline is no longer wanted
     */
    boolean isRetired();

    /**
     * Fires the deadline: cancels what it guards. Runs on the calling thread, which should read the
     * clock at or past {@link #deadline()}; does not block.
     */
    void fire();
}
