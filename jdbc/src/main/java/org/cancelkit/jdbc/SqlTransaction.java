package org.cancelkit.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.cancelkit.Cancellation;
import org.cancelkit.CancelledException;
import org.cancelkit.jdbc.internal.AbortTracker;

/**
 * A database transaction that rolls back when its caller gives up: only an explicit {@link #commit()}
 * persists (D1). Every other exit (an exception, a cancellation, a timeout, forgetting to commit)
 * rolls back, shielded from the cancellation and bounded (C6), and restores autocommit, so the
 * connection goes back to its pool with no open transaction.
 *
 * {@snippet :
 * long id = Timeout.call(Duration.ofSeconds(2), () -> SqlTransaction.call(dataSource, tx -> {
 *     tx.update("UPDATE account SET balance = balance - ? WHERE id = ?", 100, from);
 *     tx.update("UPDATE account SET balance = balance + ? WHERE id = ?", 100, to);
 *     tx.commit();                        // without this line, nothing persists
 *     return from;
 * }));
 * }
 *
 * <p>Statements run through {@link #update}, {@link #query} and {@link #call} are cancelled on the
 * server and follow the deadline ({@link Statements}: D2, D4).
 *
 * <h2>What the body may catch</h2>
 * A failed statement may take the whole transaction with it: on PostgreSQL any failed statement aborts
 * it (and a later COMMIT is silently turned into a ROLLBACK); everywhere, a failure of SQLState class 40
 * (a deadlock, a serialization failure) means the server rolled it back. So the body may let a
 * statement's failure propagate, or catch it and then fail or return without committing; it may
 * <em>not</em> catch it and go on to commit: {@link #commit()} then sends no COMMIT and throws
 * {@link TransactionAbortedException} (nothing was committed). A statement that is allowed to fail runs
 * in {@link #withSavepoint}, which undoes only that statement. Detection: on PostgreSQL the server's
 * transaction status (as pgjdbc records it, or a {@code SELECT 1} that fails in an aborted
 * transaction); elsewhere the class-40 failures of statements run through this transaction's methods.
 *
 * <h2>Commit (D3)</h2>
 * {@link #commit()} is shielded: a cancellation arriving while it runs does not stop it. It is bounded
 * by {@link JdbcOptions#commitBudget()}. When its outcome cannot be known (the connection broke, or
 * the budget ran out and the connection was aborted) it throws {@link CommitOutcomeUnknownException},
 * never a plain error that would read as "rolled back". A commit the server refused (a serialization
 * failure, a deferred constraint) is the driver's {@link SQLException}: the transaction rolled back.
 *
 * <h2>Cleanup</h2>
 * {@link #close()} rolls back unless committed, then restores autocommit, shielded and bounded by
 * {@link JdbcOptions#rollbackBudget()}. When the rollback fails or runs out of time, the connection
 * is aborted ({@link Connection#abort}): the server ends the session and rolls back itself, and a pool
 * discards the connection instead of handing out one with an open transaction. After an unknown
 * commit outcome the connection is aborted too.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>JDBC calls made directly on {@link #connection()} are not protected: inside a timeout they are
 *       interrupted on cancel, which destroys the connection while the server keeps running the query.
 *       Use {@link #call} or {@link Statements#call}.</li>
 *   <li>A connection with autocommit already off is refused: it may carry someone else's uncommitted
 *       work, which a rollback would lose.</li>
 *   <li>On MariaDB a cancelled ({@code KILL QUERY}) statement leaves its transaction open and its locks
 *       held; the rollback here releases them. Do not rely on a pool to do it.</li>
 * </ul>
 *
 * <p>Not thread-safe: owned by the thread that began it. Arguments must be non-null (query parameters
 * may be null).
 */
public final class SqlTransaction implements AutoCloseable {

    /** Where a transaction is. */
    public enum State {
        /** Begun; statements may run. */
        ACTIVE,
        /** {@link #commit()} returned normally: the work persisted. */
        COMMITTED,
        /** Rolled back: nothing persisted. */
        ROLLED_BACK,
        /** The commit's outcome is unknown ({@link CommitOutcomeUnknownException}). */
        OUTCOME_UNKNOWN,
        /** The rollback did not complete; the connection was aborted, so the server rolls back. */
        ABORTED
    }

    private final Connection connection;
    private final JdbcOptions options;
    /** Failures, savepoints and the check before COMMIT; owner thread only. */
    private final AbortTracker aborts;
    /** The state, the commit and the close; owner thread only. */
    private final TransactionStates states;

    private SqlTransaction(Connection connection, JdbcOptions options) {
        this.connection = connection;
        this.options = options;
        this.aborts = new AbortTracker(connection, options);
        this.states = new TransactionStates(connection, options, aborts);
    }

    /**
     * Begins a transaction on {@code connection} with the default options.
     *
     * @param connection a connection in autocommit mode
     * @return the transaction; close it (try-with-resources)
     * @throws CancelledException when the current token is already cancelled (nothing begins)
     * @throws IllegalStateException when autocommit is already off
     * @throws SQLException what the driver threw
     */
    public static SqlTransaction begin(Connection connection) throws SQLException {
        return begin(connection, JdbcOptions.defaults());
    }

    /**
     * Begins a transaction on {@code connection}.
     *
     * @param connection a connection in autocommit mode
     * @param options how to cancel, roll back and commit
     * @return the transaction; close it (try-with-resources)
     * @throws CancelledException when the current token is already cancelled (nothing begins)
     * @throws IllegalStateException when autocommit is already off
     * @throws SQLException what the driver threw
     */
    public static SqlTransaction begin(Connection connection, JdbcOptions options) throws SQLException {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(options, "options");
        Cancellation.check();
        if (!connection.getAutoCommit()) {
            throw new IllegalStateException("the connection has autocommit off, so it may carry uncommitted work"
                    + " that a rollback would lose; commit or roll it back and call setAutoCommit(true) first"
                    + " (for a pool, configure autoCommit=true)");
        }
        // A round trip on some drivers (MariaDB's): an interrupt there closes the socket, and the connection
        // with it (D1). Shielded, so a cancel lands on the first statement and the rollback keeps the connection.
        Cancellation.shielded(options.rollbackBudget(), () -> connection.setAutoCommit(false));
        return new SqlTransaction(connection, options);
    }

    /**
     * Runs {@code body} in a transaction on a connection from {@code dataSource}, then closes the
     * transaction (rolling back unless the body committed) and the connection.
     *
     * @param dataSource where to get the connection
     * @param body the work; it calls {@link #commit()} for the work to persist
     * @param <T> the result
     * @return what the body returned
     * @throws CancelledException when cancellation stopped the work
     * @throws CommitOutcomeUnknownException when the commit's outcome is unknown
     * @throws SQLException what the driver or the body threw
     */
    public static <T> T call(DataSource dataSource, TransactionBody<T> body) throws SQLException {
        return call(dataSource, JdbcOptions.defaults(), body);
    }

    /**
     * Runs {@code body} in a transaction on a connection from {@code dataSource}; see
     * {@link #call(DataSource, TransactionBody)}.
     *
     * @param dataSource where to get the connection
     * @param options how to cancel, roll back and commit
     * @param body the work
     * @param <T> the result
     * @return what the body returned
     * @throws CancelledException when cancellation stopped the work
     * @throws CommitOutcomeUnknownException when the commit's outcome is unknown
     * @throws SQLException what the driver or the body threw
     */
    public static <T> T call(DataSource dataSource, JdbcOptions options, TransactionBody<T> body)
            throws SQLException {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(body, "body");
        Cancellation.check();
        try (Connection c = dataSource.getConnection()) {
            return call(c, options, body);
        }
    }

    /**
     * Runs {@code body} in a transaction on {@code connection}, then closes the transaction (rolling
     * back unless the body committed); the connection stays open.
     *
     * @param connection a connection in autocommit mode
     * @param options how to cancel, roll back and commit
     * @param body the work
     * @param <T> the result
     * @return what the body returned
     * @throws CancelledException when cancellation stopped the work
     * @throws CommitOutcomeUnknownException when the commit's outcome is unknown
     * @throws SQLException what the driver or the body threw
     */
    public static <T> T call(Connection connection, JdbcOptions options, TransactionBody<T> body)
            throws SQLException {
        Objects.requireNonNull(body, "body");
        try (SqlTransaction tx = begin(connection, options)) {
            return body.apply(tx);
        }
    }

    /**
     * Returns the connection, for what this class does not offer. See the pitfalls.
     *
     * @return the connection
     */
    public Connection connection() {
        return connection;
    }

    /**
     * Returns where the transaction is.
     *
     * @return the state
     */
    public State state() {
        return states.state();
    }

    /**
     * Runs an update (INSERT, UPDATE, DELETE, DDL) with positional parameters, cancellable on the
     * server.
     *
     * @param sql the statement
     * @param params its parameters, in order
     * @return the update count
     * @throws CancelledException when cancellation stopped it
     * @throws SQLException what the driver threw
     */
    public int update(String sql, @org.jspecify.annotations.Nullable Object... params) throws SQLException {
        return call(sql, ps -> {
            bind(ps, params);
            return ps.executeUpdate();
        });
    }

    /**
     * Runs a query with positional parameters, cancellable on the server, and maps every row (inside
     * the cancellable call).
     *
     * @param sql the query
     * @param mapper maps one row
     * @param params its parameters, in order
     * @param <T> one row's value
     * @return the rows
     * @throws CancelledException when cancellation stopped it
     * @throws SQLException what the driver threw
     */
    public <T> List<T> query(String sql, RowMapper<T> mapper, @org.jspecify.annotations.Nullable Object... params)
            throws SQLException {
        Objects.requireNonNull(mapper, "mapper");
        return call(sql, ps -> {
            bind(ps, params);
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
            }
            return rows;
        });
    }

    /**
     * Prepares {@code sql} and runs {@code body} on it through {@link Statements#call}, then closes it.
     *
     * @param sql the statement
     * @param body what to do with the prepared statement
     * @param <T> the result
     * @return what the body returned
     * @throws CancelledException when cancellation stopped it
     * @throws SQLException what the driver threw
     */
    public <T> T call(String sql, SqlCall<? super PreparedStatement, T> body) throws SQLException {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(body, "body");
        states.requireActive("run a statement");
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            return Statements.call(ps, options, body);
        } catch (SQLException e) {
            aborts.statementFailed(e);
            throw e;
        }
    }

    /**
     * Runs {@code body} inside a savepoint: when it fails, only its work is undone ({@code ROLLBACK TO
     * SAVEPOINT}) and its exception is rethrown; the caller may catch it and still commit the rest. This
     * is how a statement that is allowed to fail (an optional audit row) runs in a transaction; see
     * "What the body may catch". A failure of SQLState class 40 cannot be undone this way: the server
     * rolled the whole transaction back, and {@link #commit()} refuses it.
     *
     * <p>When the body is stopped by cancellation, or the current token is cancelled, nothing is undone
     * here: a cancelled transaction cannot commit and rolls back as a whole. When the rollback to the
     * savepoint fails, its error is attached (suppressed) to the body's, and the transaction can only be
     * rolled back.
     *
     * {@snippet :
     * tx.update("UPDATE account SET balance = balance - ? WHERE id = ?", 100, from);
     * try {
     *     tx.withSavepoint(t -> t.update("INSERT INTO audit (account) VALUES (?)", from));
     * } catch (SQLException auditFailed) {
     *     log.warn("audit row not written", auditFailed);   // only the insert was undone
     * }
     * tx.commit();                                           // the update persists
     * }
     *
     * @param body the work that may fail on its own
     * @param <T> its result
     * @return what the body returned (the savepoint is then released)
     * @throws CancelledException when cancellation stopped it
     * @throws SQLException what the body or the driver threw
     */
    public <T> T withSavepoint(TransactionBody<T> body) throws SQLException {
        Objects.requireNonNull(body, "body");
        states.requireActive("set a savepoint");
        return aborts.inSavepoint(() -> body.apply(this));
    }

    private static void bind(PreparedStatement ps, @org.jspecify.annotations.Nullable Object[] params)
            throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
    }

    /**
     * Commits (D3): shielded from cancellation and bounded by {@link JdbcOptions#commitBudget()}.
     *
     * @throws CommitOutcomeUnknownException when the outcome cannot be known: the connection broke
     *     during the commit, the server went down under it, it failed in a way that is not a known
     *     refusal, or the budget ran out and the connection was aborted
     * @throws CancelledException when the current token was cancelled before the commit started:
     *     nothing was sent, and closing rolls back
     * @throws TransactionAbortedException when the server had already aborted the transaction (a
     *     statement failed and the body went on; see "What the body may catch"): COMMIT was not sent,
     *     nothing was committed, and closing rolls back
     * @throws IllegalStateException when the transaction is not active
     * @throws SQLException when the server refused the commit (SQLState class 40 or 23, the connection
     *     still open: the transaction rolled back)
     */
    public void commit() throws SQLException {
        states.commit();
    }

    /**
     * Ends the transaction: rolls back unless committed, restores autocommit; shielded and bounded by
     * {@link JdbcOptions#rollbackBudget()}. Idempotent.
     *
     * @throws SQLException when the rollback or restoring autocommit after it failed (the connection was
     *     then aborted, so the server rolls back; the state is {@link State#ABORTED}). After a commit, a
     *     failure to restore autocommit aborts the connection (no pool reuses it) and is not thrown: the
     *     transaction is committed.
     */
    @Override
    public void close() throws SQLException {
        states.close();
    }
}
