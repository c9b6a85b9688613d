package org.cancelkit.jdbc.internal;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * What the jdbc module needs to know about drivers: which errors mean "cancelled" and which mean
 * "the connection broke", how a deadline becomes a timeout, and cancel/abort calls that never throw.
 * Stateless and thread-safe.
 */
public final class Sql {
    private static final System.Logger LOG = System.getLogger("org.cancelkit.jdbc");

    private Sql() {}

    /**
     * Returns true when the error says the statement was cancelled or timed out on the server:
     * PostgreSQL {@code 57014} (query_canceled), MariaDB/MySQL {@code 70100} (error 1317, query
     * execution interrupted) or 1969 (max_statement_time exceeded), or a {@link SQLTimeoutException}.
     *
     * @param e the error
     * @return true when it comes from a cancel or a timeout
     */
    public static boolean isCancel(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTimeoutException || "57014".equals(state) || "70100".equals(state)
                || e.getErrorCode() == 1317 || e.getErrorCode() == 1969;
    }

    /**
     * Returns true when the error says the connection broke (SQLState class 08; PostgreSQL's 57P01-57P03,
     * the server shutting down or crashing under the session; or the JDBC types for a lost connection):
     * whatever was in flight has an unknown outcome.
     *
     * @param e the error
     * @return true when the connection broke
     */
    public static boolean isBrokenConnection(SQLException e) {
        String state = e.getSQLState();
        return (state != null && (state.startsWith("08") || state.startsWith("57P0")))
                || e instanceof SQLNonTransientConnectionException || e instanceof SQLRecoverableException;
    }

    /**
     * Returns true when a failed COMMIT is a known refusal by the server, which then rolled the
     * transaction back: SQLState class 40 (serialization failure, deadlock) or 23 (a deferred constraint
     * violated at commit). Anything else leaves the outcome unknown (D3: never guessed as rolled back).
     *
     * @param e the error COMMIT failed with
     * @return true when the server refused the commit
     */
    public static boolean isCommitRefusal(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("40") || state.startsWith("23")) && !isBrokenConnection(e);
    }

    /**
     * Returns true when the error says the server rolled back the whole transaction: SQLState class 40
     * (SQL's "transaction rollback": a deadlock victim, a serialization failure), not a broken connection.
     *
     * @param e a statement's error
     * @return true when the statement's transaction was rolled back with it
     */
    public static boolean isTransactionRollback(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("40") && !isBrokenConnection(e);
    }

    /**
     * Returns true when the error says the transaction is already aborted and refuses statements until
     * it ends: SQLState {@code 25P02} (PostgreSQL's in_failed_sql_transaction).
     *
     * @param e a statement's error
     * @return true for an aborted transaction
     */
    public static boolean isInFailedTransaction(SQLException e) {
        return "25P02".equals(e.getSQLState());
    }

    /**
     * Returns whether the connection is closed, counting a failure to tell as closed.
     *
     * @param connection the connection
     * @return true when it is closed or cannot say
     */
    public static boolean isClosedQuietly(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /**
     * The query timeout for what is left of a deadline: whole seconds rounded up, at least 1 (JDBC's 0
     * means "no timeout", so it must never be produced from a short deadline).
     *
     * @param remaining what is left, positive
     * @return seconds, at least 1, at most {@link Integer#MAX_VALUE}
     */
    public static int queryTimeoutSeconds(Duration remaining) {
        long seconds = remaining.getSeconds() + (remaining.getNano() > 0 ? 1 : 0);
        return Math.clamp(seconds, 1, Integer.MAX_VALUE);
    }

    /**
     * A server statement timeout for what is left of a deadline: milliseconds rounded up, at least 1.
     *
     * @param remaining what is left, positive
     * @return milliseconds, at least 1, at most {@link Integer#MAX_VALUE} (PostgreSQL's limit)
     */
    public static long statementTimeoutMillis(Duration remaining) {
        long ms;
        try {
            ms = remaining.toMillis() + (remaining.toNanosPart() % 1_000_000 > 0 ? 1 : 0);
        } catch (ArithmeticException huge) {
            ms = Integer.MAX_VALUE;
        }
        return Math.clamp(ms, 1, Integer.MAX_VALUE);
    }

    /**
     * Cancels a statement on the server; a failure is logged, since the escalation (abort) follows.
     *
     * @param statement the running statement
     */
    public static void cancelQuietly(Statement statement) {
        try {
            statement.cancel();
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "Statement.cancel() failed; the connection is aborted after the grace", e);
        }
    }

    /**
     * Aborts a connection (the server ends its session and rolls back its transaction); a failure is
     * logged, since nothing more can be done from here.
     *
     * @param connection the connection
     * @param executor where the driver runs the abort's work
     */
    public static void abortQuietly(Connection connection, Executor executor) {
        try {
            connection.abort(executor);
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "Connection.abort failed", e);
        }
    }

    /**
     * Returns true when the connection is to PostgreSQL.
     *
     * @param connection the connection
     * @return true for PostgreSQL
     * @throws SQLException when the driver cannot say
     */
    public static boolean isPostgres(Connection connection) throws SQLException {
        return "PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName());
    }
}
