package org.cancelkit.jobs;

import org.cancelkit.CancelEvent;

/**
 * A job wrote its checkpoint, as {@link org.cancelkit.CancelEvents} listeners see it; the same
 * emission point commits the Flight Recorder event {@code org.cancelkit.jobs.CheckpointWritten}
 * (enabled by the shipped {@code cancelkit.jfc}). Immutable and thread-safe.
 *
 * @param jobId the job's id
 * @param nextItem the first item not yet done
 * @param totalItems how many items the job has
 * @param writeNanos how long writing it took, on the real clock
 */
public record CheckpointWritten(String jobId, long nextItem, long totalItems, long writeNanos) implements CancelEvent {
    @Override
    public String name() {
        return "org.cancelkit.jobs.CheckpointWritten";
    }
}
