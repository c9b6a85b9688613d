package org.cancelkit;

/**
 * A listener that stops running code by force: by interrupting a thread ({@link Binding}) or by
 * running a cancel action ({@link ActionRegion}). Under a soft cancel it waits for the grace period.
 */
abstract class Interruptor extends Link {
    /**
     * Returns the token whose cancellation this listener delivers.
     *
     * @return the token whose cancellation this listener delivers
     */
    abstract CancellationToken token();

    /** Stops the running code now. Idempotent. */
    abstract void deliver();

    @Override
    final void onCancel(Cancel cancel) {
        cancel.deliverOrDefer(this);
    }
}
