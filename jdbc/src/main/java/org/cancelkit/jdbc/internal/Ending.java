package org.cancelkit.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import org.cancelkit.CancelAction;
import org.cancelkit.Cancellation;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.jdbc.CommitOutcomeUnknownException;
import org.cancelkit.jdbc.JdbcOptions;

/**
 * How a transaction ends on the wire: COMMIT shielded and bounded, with its outcome classified (D3);
 * ROLLBACK and the autocommit restore shielded and bounded, and the connection aborted when they fail
 * (D1). Both run in a cancel-action region whose action aborts the connection, so the shield's budget
 * running out ends a hung call. Stateless and thread-safe.
 */
public final class Ending {
    private Ending() {}

    /**
     * Sends COMMIT. Returns normally only when the server committed.
     *
     * @param connection the transaction's connection
     * @param options the commit budget and the abort executor
     * @throws CommitOutcomeUnknownException when the outcome cannot be known: the connection broke, the
     *     server went down, an error that is not a known refusal, or the budget ran out (the connection
     *     was then aborted)
     * @throws SQLException when the server refused the commit on a live connection (class 40 or 23): the
     *     transaction rolled back
     */
    public static void commit(Connection connection, JdbcOptions options) throws SQLException {
        try {
            Cancellation.shielded(options.commitBudget(), () -> Cancellation.withCancelAction(
                    CancelAction.of(() -> Sql.abortQuietly(connection, options.abortExecutor())),
                    () -> {
                        connection.commit();
                        return null;
                    }));
        } catch (SQLException e) {
            // Only a known refusal on a live connection is a known outcome (rolled back); a broken
            // connection, a server going down (57P0x), or any other error leaves it unknown (D3).
            if (!Sql.isCommitRefusal(e) || Sql.isClosedQuietly(connection)) {
                throw new CommitOutcomeUnknownException("COMMIT failed with " + e.getSQLState() + " (" + e.getMessage()
                        + "), so the transaction may or may not have committed; look the outcome up before retrying",
                        e);
            }
            throw e;
        } catch (DeadlineExceededException | CancelledException e) {
            throw new CommitOutcomeUnknownException("COMMIT did not finish within its budget of "
                    + options.commitBudget().toMillis() + " ms and the connection was aborted, so the transaction"
                    + " may or may not have committed; look the outcome up before retrying", e);
        }
    }

    /**
     * Rolls back (when asked) and restores autocommit; when that fails or runs out of budget, aborts the
     * connection so that the server ends the session and no pool reuses it.
     *
     * @param connection the transaction's connection
     * @param options the rollback budget and the abort executor
     * @param rollback whether to roll back first (false after a commit)
     * @return true when it completed; false when it failed and the connection was aborted
     * @throws SQLException only when {@code rollback} and it failed: the connection was aborted, so the
     *     server rolls the transaction back
     */
    public static boolean rollbackAndRestore(Connection connection, JdbcOptions options, boolean rollback)
            throws SQLException {
        try {
            Cancellation.shielded(options.rollbackBudget(), () -> Cancellation.withCancelAction(
                    CancelAction.of(() -> Sql.abortQuietly(connection, options.abortExecutor())),
                    () -> {
                        if (rollback) {
                            connection.rollback();
                        }
                        connection.setAutoCommit(true);
                        return null;
                    }));
            return true;
        } catch (SQLException | RuntimeException e) {
            Sql.abortQuietly(connection, options.abortExecutor());
            if (!rollback) {
                // Committed: a failure to restore autocommit afterwards must not read as a failed
                // transaction (a caller might retry it). The connection is aborted, so no pool hands it
                // out again with autocommit off.
                return false;
            }
            throw new SQLException("ROLLBACK failed or took longer than " + options.rollbackBudget().toMillis()
                    + " ms; the connection was aborted, so the server ends its session and rolls the transaction back",
                    e instanceof SQLException s ? s.getSQLState() : "08000", e);
        }
    }
}
