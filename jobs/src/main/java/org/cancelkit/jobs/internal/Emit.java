package org.cancelkit.jobs.internal;

import org.cancelkit.CancelEvents;
import org.cancelkit.jobs.Checkpoint;
import org.cancelkit.jobs.CheckpointWritten;
import org.cancelkit.jobs.internal.jfr.CheckpointWrittenEvent;

/**
 * The jobs module's emission point: feeds the {@link CancelEvents} listeners and the Flight Recorder
 * event of the same name; cheap when neither is enabled. Stateless.
 */
final class Emit {
    private Emit() {}

    /** A checkpoint write begins: the Flight Recorder event, started, and the real clock. */
    static CheckpointWrittenEvent checkpointStarted() {
        CheckpointWrittenEvent e = new CheckpointWrittenEvent();
        e.begin();
        return e;
    }

    /** The write begun as {@code e} wrote {@code cp}. */
    static void checkpointWritten(CheckpointWrittenEvent e, Checkpoint<?> cp, long startNanos) {
        e.end();
        if (e.shouldCommit()) {
            e.job = cp.jobId();
            e.nextItem = cp.nextItem();
            e.totalItems = cp.totalItems();
            e.commit();
        }
        if (CancelEvents.isObserved()) {
            CancelEvents.publish(new CheckpointWritten(cp.jobId(), cp.nextItem(), cp.totalItems(),
                    System.nanoTime() - startNanos));
        }
    }
}
