package org.cancelkit;

/**
 * A callback registered with {@link CancellationToken#onCancel}. Closing it unregisters the callback:
 * once {@link #close()} (or {@link #unregister()}) has returned, the callback never runs. If it is
 * running at that moment on another thread, closing waits for it to finish.
 *
 * <p>Thread-safe; idempotent.
 */
public sealed interface Registration extends AutoCloseable permits Callback {

    /**
     * Removes the callback.
     *
     * @return true when it was removed before it ran (it never will); false when it has run, or has
     *     started and has now finished
     */
    boolean unregister();

    /**
     * Tells whether the callback still waits to run: it has neither run nor been unregistered. A
     * pending registration on a token that outlives its user is a leak (the testing kit reports it).
     *
     * @return true while pending
     */
    boolean isPending();

    /** Removes the callback; see {@link #unregister()}. */
    @Override
    default void close() {
        unregister();
    }
}
