package org.cancelkit.jdbc;

import java.io.Serial;
import java.sql.SQLException;

/**
 * A commit was sent but its outcome cannot be known (D3): the connection broke during the commit
 * (SQLState class 08), or the commit did not finish within its budget and the connection was aborted.
 * The transaction may have committed or not. It is never reported as rolled back: look the outcome up
 * (for example by an idempotency key written in the transaction) before retrying.
 *
 * <p>Its cause is what the driver (or the commit budget) threw; its SQLState is the cause's, or
 * {@code 08000} when the cause is not an {@link SQLException}.
 */
public final class CommitOutcomeUnknownException extends SQLException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened
     * @param cause what the commit threw
     */
    public CommitOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause instanceof SQLException e && e.getSQLState() != null ? e.getSQLState() : "08000",
                cause);
    }
}
