package org.cancelkit.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.cancelkit.CancelAction;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.jdbc.internal.Sql;

/**
 * Runs a JDBC statement so that cancellation stops it <em>on the server</em> (D2) and the current
 * deadline becomes its timeout (D4).
 *
 * {@snippet :
 * try (Statement s = connection.createStatement()) {
 *     // after 2 s: Statement.cancel() stops the query on the server; the connection stays usable
 *     int n = Timeout.call(Duration.ofSeconds(2),
 *             () -> Statements.call(s, st -> st.executeUpdate("DELETE FROM sessions WHERE expired")));
 * }
 * }
 *
 * <h2>What happens</h2>
 * <ol>
 *   <li>The current token ({@link Cancellation#current()}) is checked: on a cancelled token, or a
 *       deadline that has already passed, the statement is <em>not sent</em>.</li>
 *   <li>D4: the remaining time becomes the statement's {@linkplain Statement#setQueryTimeout query
 *       timeout}, in whole seconds rounded up and at least 1 (a timeout the statement already had is
 *       kept when it is shorter, and restored afterwards). The precise stop at the deadline is
 *       cancelkit's own (step 3); the query timeout is the driver's backstop, coarse by JDBC's
 *       definition. With {@link JdbcOptions#serverStatementTimeout()} on PostgreSQL inside a
 *       transaction, {@code SET LOCAL statement_timeout} in milliseconds is sent as well, so the
 *       server stops the statement by itself even if this process stops answering.</li>
 *   <li>C9: the call runs in a cancel-action region. The thread is never interrupted inside it
 *       (interrupting {@code executeQuery} destroys the connection while the server keeps running
 *       the query and holding its locks). On cancellation {@link Statement#cancel()} runs, which
 *       stops the query on the server (PostgreSQL: a CancelRequest on a new connection; MariaDB:
 *       {@code KILL QUERY} on a new connection). If the call is still running after
 *       {@link JdbcOptions#cancelGrace()}, {@link Connection#abort} ends the session.</li>
 * </ol>
 *
 * <h2>Exceptions</h2>
 * A statement stopped by cancellation surfaces as {@link CancelledException} with the driver's
 * {@link SQLException} as its cause (a {@link org.cancelkit.Timeout} around it turns its own deadline
 * into {@link DeadlineExceededException}, as everywhere in cancelkit). A statement stopped by its
 * query timeout after the deadline passed is {@link DeadlineExceededException} (cause: the
 * driver's error). Every other error is the driver's {@link SQLException}, unchanged.
 *
 * <h2>Pitfalls</h2>
 * Only the call given to this method is protected. JDBC calls made outside it on a thread bound to a
 * token (a raw {@code executeQuery} inside a {@code Timeout}) are interrupted on cancel, with the harm
 * described above. Reading a large {@link java.sql.ResultSet} after the call returns is not covered
 * either: map the rows inside the call.
 *
 * <p>Thread-safe (stateless); a statement must be used by one thread at a time, as JDBC requires.
 * Arguments must be non-null.
 */
public final class Statements {
    private Statements() {}

    /**
     * Runs {@code body} on {@code statement} with the default options; see the class description.
     *
     * @param statement the statement
     * @param body what to do with it
     * @param <S> the statement type
     * @param <T> the result
     * @return what the body returned
     * @throws CancelledException when cancellation stopped it (or it was not sent)
     * @throws DeadlineExceededException when the deadline had passed before it was sent, or its query
     *     timeout stopped it after the deadline
     * @throws SQLException what the driver threw otherwise
     */
    public static <S extends Statement, T> T call(S statement, SqlCall<? super S, T> body) throws SQLException {
        return call(statement, JdbcOptions.defaults(), body);
    }

    /**
     * Runs {@code body} on {@code statement}; see the class description.
     *
     * @param statement the statement
     * @param options how to cancel
     * @param body what to do with it
     * @param <S> the statement type
     * @param <T> the result
     * @return what the body returned
     * @throws CancelledException when cancellation stopped it (or it was not sent)
     * @throws DeadlineExceededException when the deadline had passed before it was sent, or its query
     *     timeout stopped it after the deadline
     * @throws SQLException what the driver threw otherwise
     */
    public static <S extends Statement, T> T call(S statement, JdbcOptions options, SqlCall<? super S, T> body)
            throws SQLException {
        Objects.requireNonNull(statement, "statement");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(body, "body");
        CancellationToken token = Cancellation.current();
        Cancellation.check(); // a cancellation point: a statement is not sent on a cancelled token
        Optional<Duration> remaining = token.remaining();
        if (remaining.isPresent() && !remaining.get().isPositive()) {
            throw new DeadlineExceededException("the deadline passed before the statement was sent;"
                    + " it was not sent", null);
        }
        int savedTimeout = statement.getQueryTimeout();
        if (remaining.isPresent()) {
            int seconds = Sql.queryTimeoutSeconds(remaining.get());
            if (savedTimeout == 0 || seconds < savedTimeout) {
                statement.setQueryTimeout(seconds);
            }
        }
        Connection connection = statement.getConnection();
        boolean serverTimeout = remaining.isPresent() && options.serverStatementTimeout()
                && !connection.getAutoCommit() && Sql.isPostgres(connection);
        CancelAction action = CancelAction.of(() -> Sql.cancelQuietly(statement))
                .withEscalation(options.cancelGrace(), () -> Sql.abortQuietly(connection, options.abortExecutor()));
        T value;
        try {
            if (serverTimeout) {
                setStatementTimeout(connection, options, token);
            }
            value = Cancellation.withCancelAction(action, () -> body.call(statement));
        } catch (SQLException e) {
            Exception translated = translate(e, token);
            restoreQuietly(statement, savedTimeout, serverTimeout, translated);
            if (translated instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        } catch (RuntimeException | Error e) {
            restoreQuietly(statement, savedTimeout, serverTimeout, e);
            throw e;
        }
        restore(statement, savedTimeout, serverTimeout);
        return value;
    }

    /** Puts the statement (and the transaction's statement_timeout) back as they were. */
    private static void restore(Statement statement, int savedTimeout, boolean serverTimeout) throws SQLException {
        if (serverTimeout) {
            resetStatementTimeout(statement.getConnection());
        }
        if (!statement.isClosed() && statement.getQueryTimeout() != savedTimeout) {
            statement.setQueryTimeout(savedTimeout);
        }
    }

    /** {@link #restore} after a failure: a second failure must not hide the first, so it is attached to it. */
    private static void restoreQuietly(Statement statement, int savedTimeout, boolean serverTimeout, Throwable primary) {
        try {
            restore(statement, savedTimeout, serverTimeout);
        } catch (SQLException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }

    private static void setStatementTimeout(Connection connection, JdbcOptions options, CancellationToken token)
            throws SQLException {
        try (Statement set = connection.createStatement()) {
            CancelAction action = CancelAction.of(() -> Sql.cancelQuietly(set))
                    .withEscalation(options.cancelGrace(),
                            () -> Sql.abortQuietly(connection, options.abortExecutor()));
            // Computed as late as possible so the server's timeout is not later than the deadline.
            Duration left = token.remaining().orElseThrow();
            if (!left.isPositive()) {
                throw new DeadlineExceededException("the deadline passed before the statement was sent;"
                        + " it was not sent", null);
            }
            long ms = Sql.statementTimeoutMillis(left);
            Cancellation.withCancelAction(action, () -> set.execute("SET LOCAL statement_timeout = " + ms));
        }
    }

    private static void resetStatementTimeout(Connection connection) {
        // A statement without a deadline later in the same transaction must not inherit this one's.
        // Shielded: the reset is cleanup and must run also while the caller is being cancelled. It
        // fails harmlessly when the statement failed (the transaction is aborted until rollback).
        try {
            Cancellation.shielded(Duration.ofSeconds(1), () -> {
                try (Statement reset = connection.createStatement()) {
                    reset.execute("SET LOCAL statement_timeout TO DEFAULT");
                }
            });
        } catch (SQLException | RuntimeException aborted) {
            // The transaction is aborted or the connection broke: every later statement fails until
            // the rollback, which ends the SET LOCAL anyway. Nothing is lost by ignoring it here.
        }
    }

    /** The cancel-shaped exception for a driver error that a cancel or the deadline caused, else the error itself. */
    private static Exception translate(SQLException e, CancellationToken token) {
        Optional<org.cancelkit.CancelReason> reason = token.reason();
        if (reason.isPresent() && Sql.isCancel(e)) {
            return new CancelledException(reason.get(), e);
        }
        if (Sql.isCancel(e)) {
            Optional<Duration> left = token.remaining();
            if (left.isPresent() && !left.get().isPositive()) {
                return new DeadlineExceededException("the statement's deadline passed and its query timeout"
                        + " stopped it on the server", e);
            }
        }
        return e;
    }
}
