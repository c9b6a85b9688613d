package org.cancelkit.jdbc.internal;

import org.cancelkit.CancelEvents;
import org.cancelkit.jdbc.SqlTransaction;
import org.cancelkit.jdbc.TransactionEnded;
import org.cancelkit.jdbc.internal.jfr.TransactionEndedEvent;
import jdk.jfr.FlightRecorder;

/**
 * The jdbc module's emission point: feeds the {@link CancelEvents} listeners and the Flight Recorder
 * event of the same name; returns at once when neither is enabled. Stateless.
 */
public final class Emit {
    private Emit() {}

    /**
     * A transaction ended with {@code outcome}.
     *
     * @param outcome its final state
     */
    public static void transactionEnded(SqlTransaction.State outcome) {
        // No JFR class is touched while the recorder does not run: their first use costs some 100 ms.
        TransactionEndedEvent e = FlightRecorder.isInitialized() ? new TransactionEndedEvent() : null;
        if (e != null && e.shouldCommit()) {
            e.outcome = outcome.name();
            e.commit();
        }
        if (CancelEvents.isObserved()) {
            CancelEvents.publish(new TransactionEnded(outcome));
        }
    }
}
