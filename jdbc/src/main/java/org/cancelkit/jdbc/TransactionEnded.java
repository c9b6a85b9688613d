package org.cancelkit.jdbc;

import org.cancelkit.CancelEvent;

/**
 * A {@link SqlTransaction} ended, as {@link org.cancelkit.CancelEvents} listeners see it; the same
 * emission point commits the Flight Recorder event {@code org.cancelkit.jdbc.TransactionEnded}
 * (enabled by the shipped {@code cancelkit.jfc}). Immutable and thread-safe.
 *
 * @param outcome {@link SqlTransaction.State#COMMITTED}, {@link SqlTransaction.State#ROLLED_BACK},
 *     {@link SqlTransaction.State#ABORTED} or {@link SqlTransaction.State#OUTCOME_UNKNOWN}
 */
public record TransactionEnded(SqlTransaction.State outcome) implements CancelEvent {
    @Override
    public String name() {
        return "org.cancelkit.jdbc.TransactionEnded";
    }
}
