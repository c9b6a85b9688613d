package org.cancelkit.jobs.internal;

import org.cancelkit.CancelEvents;
import org.cancelkit.jobs.Checkpoint;
import org.cancelkit.jobs.CheckpointWritten;
import org.cancelkit.jobs.internal.jfr.CheckpointWrittenEvent;
import jdk.jfr.FlightRecorder;
import org.jspecify.annotations.Nullable;

/**
 * The jobs module's emission point: feeds the {@link CancelEvents} listeners and the Flight Recorder
 * event of the same name; cheap when neither is enabled. Stateless.
 */
final class Emit {
    private Emit() {}

    /**
     * A checkpoint write begins: the Flight Recorder event, started; null while the recorder does not
     * run in this process (no JFR class is touched then: their first use costs some 100 ms).
     */
    static @Nullable CheckpointWrittenEvent checkpointStarted() {
        if (!FlightRecorder.isInitialized()) {
            return null;
        }
        CheckpointWrittenEvent e = new CheckpointWrittenEvent();
        e.begin();
        return e;
    }

    /** The write begun as {@code e} wrote {@code cp}. */
    static void checkpointWritten(@Nullable CheckpointWrittenEvent e, Checkpoint<?> cp, long startNanos) {
        if (e != null) {
            e.end();
        }
        if (e != null && e.shouldCommit()) {
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
