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

    /** Removes the callback; see {@link #unregister()}. */
    @Override
    default void close() {
        unregister();
    }
}
