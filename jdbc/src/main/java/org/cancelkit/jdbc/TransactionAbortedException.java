package org.cancelkit.jdbc;

import java.io.Serial;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * {@link SqlTransaction#commit()} found that the server had already aborted the transaction, so it did
 * not send COMMIT: nothing of the transaction was committed, and closing it rolls it back. The outcome
 * is known (not committed), unlike {@link CommitOutcomeUnknownException}.
 *
 * <p>It happens when a statement of the transaction failed and the body caught the failure and went
 * on. On PostgreSQL any failed statement aborts the whole transaction (every later statement fails
 * with SQLState {@code 25P02}, and a COMMIT is silently turned into a ROLLBACK); on every database a
 * failure of SQLState class 40 (a deadlock, a serialization failure) means the server rolled the
 * whole transaction back. To make a statement optional, run it in
 * {@link SqlTransaction#withSavepoint}: a failure there undoes only that statement, and the
 * transaction can still commit.
 *
 * <p>Its SQLState is {@code 25P02} (in failed SQL transaction) when PostgreSQL reported the transaction
 * aborted, or the class-40 SQLState of the statement that rolled it back. Its cause, when known, is
 * the failure of the statement that aborted the transaction.
 */
public final class TransactionAbortedException extends SQLException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, and what the body may not do
     * @param sqlState {@code 25P02}, or the class-40 SQLState of the failure that rolled the transaction back
     * @param cause the failure of the statement that aborted the transaction, or null when not known
     */
    public TransactionAbortedException(String message, String sqlState, @Nullable Throwable cause) {
        super(message, sqlState, cause);
    }
}
