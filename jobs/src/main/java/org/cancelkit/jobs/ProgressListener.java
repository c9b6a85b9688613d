package org.cancelkit.jobs;

/**
 * Receives a {@link Job}'s {@link Progress} events (J3).
 *
 * <p>Called on the job's thread, synchronously, in order: keep it short (print a line, update a
 * counter, hand the event to another thread). An exception it throws stops the job like a failing
 * item does: the job saves a checkpoint of what is done and rethrows it.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores every event. */
    ProgressListener NONE = progress -> {};

    /**
     * Receives one event.
     *
     * @param progress the event
     */
    void onProgress(Progress progress);
}
