package org.cancelkit.jdbc.internal;

import org.cancelkit.CancelEvents;
import org.cancelkit.jdbc.SqlTransaction;
import org.cancelkit.jdbc.TransactionEnded;
import org.cancelkit.jdbc.internal.jfr.TransactionEndedEvent;

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
        TransactionEndedEvent e = new TransactionEndedEvent();
        if (e.shouldCommit()) {
            e.outcome = outcome.name();
            e.commit();
        }
        if (CancelEvents.isObserved()) {
            CancelEvents.publish(new TransactionEnded(outcome));
        }
    }
}
