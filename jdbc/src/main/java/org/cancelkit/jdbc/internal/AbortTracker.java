package org.cancelkit.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;
import org.cancelkit.CancelAction;
import org.cancelkit.Cancellation;
import org.cancelkit.CancelledException;
import org.cancelkit.CheckedCallable;
import org.cancelkit.jdbc.JdbcOptions;
import org.cancelkit.jdbc.Statements;
import org.cancelkit.jdbc.TransactionAbortedException;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a transaction from reporting a commit for work the server no longer holds: it remembers the
 * failures of the transaction's statements, runs savepoints, and before COMMIT asks whether the
 * server has aborted the transaction.
 *
 * <p>Invariants:
 * <ol>
 *   <li>{@code failure} is the latest failure of a statement run through the transaction's methods
 *       that no savepoint undid.</li>
 *   <li>{@code rolledBackBy} is the first failure of SQLState class 40 (the server rolled the whole
 *       transaction back); it is never cleared, since no savepoint survives such a rollback.</li>
 *   <li>{@code rollbackOnly}, once set, stays set: the transaction can only be rolled back.</li>
 * </ol>
 *
 * <p>Not thread-safe: every field is written and read by the transaction's owner thread only.
 */
public final class AbortTracker {
    private static final String BODY_RULE = "; nothing of it was committed, and it is rolled back when closed."
            + " A body may catch a statement's failure and go on to commit only when the statement ran in"
            + " tx.withSavepoint(...), which undoes just that statement";

    private final Connection connection;
    private final JdbcOptions options;
    private @Nullable SQLException failure;
    private @Nullable SQLException rolledBackBy;
    private @Nullable String rollbackOnly;
    /** Whether the connection is to PostgreSQL; asked once, at the first commit. */
    private @Nullable Boolean postgres;

    /**
     * Tracks the transaction on {@code connection}.
     *
     * @param connection the transaction's connection
     * @param options its options (the cancel grace and the abort executor)
     */
    public AbortTracker(Connection connection, JdbcOptions options) {
        this.connection = connection;
        this.options = options;
    }

    /**
     * Records the failure of a statement run through the transaction.
     *
     * @param e what the statement threw
     */
    public void statementFailed(SQLException e) {
        failure = e;
        if (rolledBackBy == null && Sql.isTransactionRollback(e)) {
            rolledBackBy = e;
        }
    }

    /**
     * Marks the transaction as one that can only be rolled back (invariant 3).
     *
     * @param why what happened, for messages ("the server refused its commit")
     */
    public void rollbackOnly(String why) {
        if (rollbackOnly == null) {
            rollbackOnly = why;
        }
    }

    /**
     * Returns why the transaction can only be rolled back.
     *
     * @return the reason, or empty while it may still commit
     */
    public Optional<String> rollbackOnlyReason() {
        return Optional.ofNullable(rollbackOnly);
    }

    /**
     * Runs {@code body} inside a savepoint; on its failure rolls back to the savepoint (unless it was a
     * cancellation) and rethrows; on success releases it.
     *
     * @param body the work
     * @param <T> its result
     * @return what the body returned
     * @throws SQLException what the body or the driver threw
     */
    public <T> T inSavepoint(CheckedCallable<T, SQLException> body) throws SQLException {
        Cancellation.check();
        Savepoint savepoint = onConnection(connection::setSavepoint);
        SQLException failureBefore = failure;
        T value;
        try {
            value = body.call();
        } catch (SQLException | RuntimeException e) {
            // A cancelled transaction cannot commit and rolls back whole: undoing a part of it is no use.
            if (e instanceof CancelledException || Cancellation.isCancelled()) {
                throw e;
            }
            try {
                onConnection(() -> {
                    connection.rollback(savepoint);
                    return null;
                });
                failure = failureBefore; // invariant 1: the savepoint undid this failure's statement
            } catch (SQLException | RuntimeException undo) {
                e.addSuppressed(undo);
                // After a class-40 failure the savepoint is gone with the whole transaction (invariant 2
                // refuses the commit, as TransactionAbortedException); any other failed undo leaves the
                // body's work half there: only a rollback remains.
                if (!(e instanceof SQLException s && Sql.isTransactionRollback(s))) {
                    rollbackOnly("ROLLBACK TO SAVEPOINT failed (" + undo.getMessage() + ")");
                }
            }
            throw e;
        }
        onConnection(() -> {
            connection.releaseSavepoint(savepoint);
            return null;
        });
        return value;
    }

    /** A call on the connection itself, never interrupted (C9): on cancel it may finish, or is aborted after the grace. */
    private <T> T onConnection(CheckedCallable<T, SQLException> call) throws SQLException {
        CancelAction action = CancelAction.of(() -> { })
                .withEscalation(options.cancelGrace(), () -> Sql.abortQuietly(connection, options.abortExecutor()));
        return Cancellation.withCancelAction(action, call);
    }

    /**
     * Checks, before COMMIT is sent, that it would not be a silent rollback: on PostgreSQL the server's
     * transaction status, elsewhere invariant 2. When it would be, marks the transaction rollback-only
     * and throws.
     *
     * @throws TransactionAbortedException when the server has aborted the transaction
     * @throws SQLException when asking the server failed (COMMIT was not sent)
     */
    public void refuseCommitIfAborted() throws SQLException {
        if (postgres == null) {
            postgres = Sql.isPostgres(connection);
        }
        TransactionAbortedException aborted = null;
        if (postgres) {
            Optional<Boolean> known = ServerTransaction.pgjdbcFailed(connection);
            if (known.isPresent() ? known.get() : failsSelectOne()) {
                String cause = failure == null ? "" : " (the last failure seen here: " + failure.getMessage() + ")";
                aborted = new TransactionAbortedException("COMMIT was not sent: PostgreSQL had aborted this"
                        + " transaction when a statement in it failed" + cause + BODY_RULE, "25P02", failure);
            }
        } else if (rolledBackBy != null) {
            aborted = new TransactionAbortedException("COMMIT was not sent: the server rolled this transaction back"
                    + " when a statement in it failed with SQLState " + rolledBackBy.getSQLState() + " ("
                    + rolledBackBy.getMessage() + "), and later statements ran outside it" + BODY_RULE
                    + "; no savepoint undoes a failure of class 40: retry the whole transaction",
                    Objects.requireNonNullElse(rolledBackBy.getSQLState(), "40000"), rolledBackBy);
        }
        if (aborted != null) {
            rollbackOnly("the server had aborted it");
            throw aborted;
        }
    }

    /** Asks PostgreSQL itself when the driver cannot say: {@code SELECT 1} fails with 25P02 in an aborted transaction. */
    private boolean failsSelectOne() throws SQLException {
        try (Statement probe = connection.createStatement()) {
            Statements.call(probe, options, s -> s.execute("SELECT 1"));
            return false;
        } catch (SQLException e) {
            if (Sql.isInFailedTransaction(e)) {
                return true;
            }
            throw e;
        }
    }
}
