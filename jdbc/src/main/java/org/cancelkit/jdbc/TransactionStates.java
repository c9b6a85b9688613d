package org.cancelkit.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import org.cancelkit.Cancellation;
import org.cancelkit.jdbc.SqlTransaction.State;
import org.cancelkit.jdbc.internal.AbortTracker;
import org.cancelkit.jdbc.internal.Emit;
import org.cancelkit.jdbc.internal.Ending;
import org.cancelkit.jdbc.internal.Sql;

/**
 * Where a {@link SqlTransaction} is, and how it leaves {@link State#ACTIVE}: only an explicit commit
 * reaches {@link State#COMMITTED} (D1, D3); a close rolls back anything else and restores autocommit,
 * shielded and bounded (C6), once. Owned by the transaction's thread.
 */
final class TransactionStates {
    private final Connection connection;
    private final JdbcOptions options;
    /** Failures, savepoints and the check before COMMIT. */
    private final AbortTracker aborts;
    private State state = State.ACTIVE;
    private boolean closed;

    TransactionStates(Connection connection, JdbcOptions options, AbortTracker aborts) {
        this.connection = connection;
        this.options = options;
        this.aborts = aborts;
    }

    State state() {
        return state;
    }

    /** Refuses {@code what} unless the transaction is active and may still commit. */
    void requireActive(String what) {
        if (state != State.ACTIVE) {
            throw new IllegalStateException("cannot " + what + ": the transaction is " + state
                    + "; begin a new one");
        }
        aborts.rollbackOnlyReason().ifPresent(why -> {
            throw new IllegalStateException("cannot " + what + ": " + why
                    + ", so this transaction is rolled back when closed; begin a new one");
        });
    }

    /** {@link SqlTransaction#commit()}. */
    void commit() throws SQLException {
        requireActive("commit");
        Cancellation.check(); // a commit that has not started yet is still a cancellation point
        aborts.refuseCommitIfAborted();
        try {
            Ending.commit(connection, options);
            state = State.COMMITTED;
        } catch (CommitOutcomeUnknownException e) {
            state = State.OUTCOME_UNKNOWN;
            throw e;
        } catch (SQLException refused) {
            aborts.rollbackOnly("the server refused its commit");
            throw refused; // close() rolls back and the state becomes ROLLED_BACK
        }
    }

    /** {@link SqlTransaction#close()}. */
    void close() throws SQLException {
        // Idempotent also after a commit: a second close must not run setAutoCommit(true) again, which on
        // a plain connection would commit whatever a later transaction on it has open.
        if (closed) {
            return;
        }
        closed = true;
        try {
            end();
        } finally {
            Emit.transactionEnded(state);
        }
    }

    /** Rolls back unless committed, once; leaves the final state. */
    private void end() throws SQLException {
        switch (state) {
            case ROLLED_BACK, ABORTED -> {
                return;
            }
            case OUTCOME_UNKNOWN -> {
                // The connection is broken or aborted; make sure no pool reuses it.
                Sql.abortQuietly(connection, options.abortExecutor());
                return;
            }
            case ACTIVE, COMMITTED -> {
                // handled below
            }
        }
        boolean rollback = state == State.ACTIVE;
        try {
            if (Ending.rollbackAndRestore(connection, options, rollback) && rollback) {
                state = State.ROLLED_BACK;
            }
        } catch (SQLException e) {
            state = State.ABORTED;
            throw e;
        }
    }
}
