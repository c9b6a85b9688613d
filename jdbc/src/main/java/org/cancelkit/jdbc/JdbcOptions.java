package org.cancelkit.jdbc;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * How {@link Statements} and {@link SqlTransaction} cancel, clean up and commit. Immutable; copies with
 * {@code withX}.
 *
 * {@snippet :
 * JdbcOptions options = JdbcOptions.defaults()
 *         .withCancelGrace(Duration.ofSeconds(1))        // Statement.cancel(), then abort after 1 s
 *         .withServerStatementTimeout(true);             // PostgreSQL: SET LOCAL statement_timeout too
 * }
 *
 * @param cancelGrace how long a statement may keep running after {@link java.sql.Statement#cancel()}
 *     before its connection is aborted with {@link java.sql.Connection#abort}
 * @param rollbackBudget how long a rollback (and restoring autocommit) may take; past it the connection
 *     is aborted, and the server rolls the transaction back when the session ends
 * @param commitBudget how long a commit may take; past it the connection is aborted and the outcome is
 *     reported as unknown ({@link CommitOutcomeUnknownException})
 * @param serverStatementTimeout on PostgreSQL, inside a transaction, also send the remaining deadline
 *     as {@code SET LOCAL statement_timeout} in milliseconds before each statement (two extra round
 *     trips per statement); ignored on other databases and in autocommit mode
 * @param abortExecutor runs the work of {@link java.sql.Connection#abort(Executor)}
 */
public record JdbcOptions(Duration cancelGrace, Duration rollbackBudget, Duration commitBudget,
                          boolean serverStatementTimeout, Executor abortExecutor) {

    private static final Executor VIRTUAL = task -> Thread.ofVirtual().name("cancelkit-jdbc-abort").start(task);
    private static final JdbcOptions DEFAULTS = new JdbcOptions(Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), false, VIRTUAL);

    /**
     * Validates the parts.
     *
     * @throws NullPointerException naming a null part
     * @throws IllegalArgumentException when a duration is negative or zero
     */
    public JdbcOptions {
        requirePositive(cancelGrace, "cancelGrace");
        requirePositive(rollbackBudget, "rollbackBudget");
        requirePositive(commitBudget, "commitBudget");
        Objects.requireNonNull(abortExecutor, "abortExecutor");
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d
                    + "; give the time the database may take, e.g. Duration.ofSeconds(2)");
        }
    }

    /**
     * The defaults: a grace of 2 s before an abort, a rollback budget of 5 s, a commit budget of 10 s,
     * no server-side statement timeout, aborts run on virtual threads.
     *
     * @return the defaults
     */
    public static JdbcOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A copy with another cancel grace.
     *
     * @param grace how long after {@code Statement.cancel()} before {@code Connection.abort}
     * @return the copy
     */
    public JdbcOptions withCancelGrace(Duration grace) {
        return new JdbcOptions(grace, rollbackBudget, commitBudget, serverStatementTimeout, abortExecutor);
    }

    /**
     * A copy with another rollback budget.
     *
     * @param budget how long a rollback may take
     * @return the copy
     */
    public JdbcOptions withRollbackBudget(Duration budget) {
        return new JdbcOptions(cancelGrace, budget, commitBudget, serverStatementTimeout, abortExecutor);
    }

    /**
     * A copy with another commit budget.
     *
     * @param budget how long a commit may take
     * @return the copy
     */
    public JdbcOptions withCommitBudget(Duration budget) {
        return new JdbcOptions(cancelGrace, rollbackBudget, budget, serverStatementTimeout, abortExecutor);
    }

    /**
     * A copy that does, or does not, send PostgreSQL's {@code SET LOCAL statement_timeout}.
     *
     * @param on whether to send it
     * @return the copy
     */
    public JdbcOptions withServerStatementTimeout(boolean on) {
        return new JdbcOptions(cancelGrace, rollbackBudget, commitBudget, on, abortExecutor);
    }

    /**
     * A copy with another executor for {@link java.sql.Connection#abort(Executor)}.
     *
     * @param executor where the abort's work runs
     * @return the copy
     */
    public JdbcOptions withAbortExecutor(Executor executor) {
        return new JdbcOptions(cancelGrace, rollbackBudget, commitBudget, serverStatementTimeout, executor);
    }
}
