package org.cancelkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.jdbc.internal.ServerTransaction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * D1, D3: the outcome {@link SqlTransaction#commit()} reports agrees with what the server kept. On
 * PostgreSQL a failed statement aborts the whole transaction, and a later COMMIT is turned into a
 * ROLLBACK without an error to the driver; a body that catches the failure (an optional audit insert)
 * and commits must be told that nothing was committed. MariaDB keeps the transaction after a failed
 * statement, so the same body commits there.
 */
class AbortedTransactionTest {
    private static final String T = Db.table("ck_jdbc_abort");
    private static final String AUDIT = Db.table("ck_jdbc_abort_audit");
    private static final String BUMP = "UPDATE " + T + " SET v = v + 1 WHERE id = 1";
    /** Fails: audit row 1 exists (duplicate key). */
    private static final String AUDIT_DUPLICATE = "INSERT INTO " + AUDIT + " (id) VALUES (1)";

    private static void reset(Db db) throws SQLException {
        db.resetTable(T);
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + AUDIT + " (id INT PRIMARY KEY)");
            s.execute("DELETE FROM " + AUDIT);
            s.execute("INSERT INTO " + AUDIT + " (id) VALUES (1)");
        }
    }

    /** What the caller was told, and what the server kept. */
    private record Outcome(SqlTransaction.State state, Throwable thrown, int value) {
        boolean reportedCommitted() {
            return thrown == null && state == SqlTransaction.State.COMMITTED;
        }

        boolean dataPresent() {
            return value == 101;
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D3: a body that catches a failed optional audit insert and commits: the reported outcome and the data agree")
    void caughtFailureThenCommit(Db db) throws Exception {
        reset(db);
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            AtomicReference<SqlTransaction> tx = new AtomicReference<>();
            Throwable thrown = null;
            try {
                SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                    tx.set(t);
                    t.update(BUMP);
                    try {
                        t.update(AUDIT_DUPLICATE);
                    } catch (SQLException optionalAuditFailed) {
                        // the body's choice: the audit row is optional
                    }
                    t.commit();
                    return null;
                });
            } catch (SQLException e) {
                thrown = e;
            }
            Outcome outcome = new Outcome(tx.get().state(), thrown, db.value(observer, T, 1));
            assertThat(outcome.reportedCommitted()).as("%s: reported committed (%s) iff the data is there (%s)", db,
                    outcome, outcome.value).isEqualTo(outcome.dataPresent());
            // PostgreSQL aborted the transaction at the failed insert; MariaDB kept it.
            assertThat(outcome.dataPresent()).as(db + ": the server kept the update").isEqualTo(db == Db.MARIADB);
            assertThat(db.hasOpenTransaction(observer, db.sessionId(c))).isFalse();
            assertThat(c.getAutoCommit()).isTrue();
        }
    }

    @Test
    @DisplayName("D3: on PostgreSQL the aborted transaction's commit throws TransactionAbortedException (25P02), sends no COMMIT, and rolls back")
    void postgresAbortedCommitIsAClearError() throws Exception {
        Db db = Db.POSTGRES;
        reset(db);
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            AtomicReference<SqlTransaction> tx = new AtomicReference<>();
            assertThatThrownBy(() -> SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                tx.set(t);
                t.update(BUMP);
                try {
                    t.update(AUDIT_DUPLICATE);
                } catch (SQLException optionalAuditFailed) {
                    // caught, and the body goes on: not allowed on PostgreSQL
                }
                try {
                    t.commit();
                } catch (TransactionAbortedException aborted) {
                    assertThatThrownBy(() -> t.update(BUMP)).as("nothing more runs in it")
                            .isInstanceOf(IllegalStateException.class).hasMessageContaining("aborted");
                    throw aborted;
                }
                return null;
            })).isInstanceOf(TransactionAbortedException.class)
                    .hasMessageContaining("COMMIT was not sent")
                    .hasMessageContaining("nothing of it was committed")
                    .hasMessageContaining("withSavepoint")
                    .hasRootCauseMessage(rootMessage(db))
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("25P02");
            assertThat(tx.get().state()).isEqualTo(SqlTransaction.State.ROLLED_BACK);
            assertThat(db.value(observer, T, 1)).isEqualTo(100);
            assertThat(db.hasOpenTransaction(observer, db.sessionId(c))).isFalse();
        }
    }

    /** The duplicate-key message of the audit insert, as the driver words it (the cause of the abort). */
    private static String rootMessage(Db db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.executeUpdate(AUDIT_DUPLICATE);
            throw new AssertionError("the audit insert was expected to fail");
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1: an optional statement in withSavepoint: its failure undoes only it, and the rest commits")
    void optionalStatementInASavepoint(Db db) throws Exception {
        reset(db);
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            AtomicReference<SQLException> auditFailure = new AtomicReference<>();
            SqlTransaction seen = SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                t.update(BUMP);
                try {
                    t.withSavepoint(s -> s.update(AUDIT_DUPLICATE));
                } catch (SQLException optionalAuditFailed) {
                    auditFailure.set(optionalAuditFailed);
                }
                int inserted = t.withSavepoint(s -> s.update("INSERT INTO " + AUDIT + " (id) VALUES (2)"));
                assertThat(inserted).as("a savepoint whose body succeeds keeps its work").isEqualTo(1);
                t.commit();
                return t;
            });
            assertThat((Throwable) auditFailure.get()).as("the audit insert did fail").isNotNull()
                    .isNotInstanceOf(TransactionAbortedException.class);
            assertThat(seen.state()).isEqualTo(SqlTransaction.State.COMMITTED);
            assertThat(db.value(observer, T, 1)).isEqualTo(101);
            assertThat(Db.single(observer, "SELECT count(*) FROM " + AUDIT)).isEqualTo(2);
            assertThat(db.hasOpenTransaction(observer, db.sessionId(c))).isFalse();
        }
    }

    @Test
    @DisplayName("D3: a failure of a statement run directly on tx.connection() is seen too (PostgreSQL's own status)")
    void postgresFailureOnTheRawConnectionIsSeen() throws Exception {
        Db db = Db.POSTGRES;
        reset(db);
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            assertThatThrownBy(() -> SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                t.update(BUMP);
                try (Statement raw = t.connection().createStatement()) {
                    raw.executeUpdate(AUDIT_DUPLICATE);
                } catch (SQLException optionalAuditFailed) {
                    // not through the transaction's methods: only the server knows
                }
                t.commit();
                return null;
            })).isInstanceOf(TransactionAbortedException.class);
            assertThat(db.value(observer, T, 1)).isEqualTo(100);
        }
    }

    /**
     * When the driver cannot say (a wrapper that does not unwrap to pgjdbc), a {@code SELECT 1} asks the
     * server. The control: the same wrapper on a healthy transaction commits, with one probe.
     */
    @Test
    @DisplayName("D3: when the driver cannot tell the transaction status, SELECT 1 asks the server (control: a healthy transaction commits)")
    void postgresStatusByProbeWhenTheDriverCannotSay() throws Exception {
        Db db = Db.POSTGRES;
        reset(db);
        try (Connection real = db.connect(); Connection observer = db.connect()) {
            AtomicInteger probes = new AtomicInteger();
            Connection opaque = opaque(real, probes);
            assertThat(ServerTransaction.pgjdbcFailed(opaque)).as("the driver cannot say through it").isEmpty();
            assertThatThrownBy(() -> SqlTransaction.call(opaque, JdbcOptions.defaults(), t -> {
                t.update(BUMP);
                try {
                    t.update(AUDIT_DUPLICATE);
                } catch (SQLException optionalAuditFailed) {
                    // caught, and the body goes on
                }
                t.commit();
                return null;
            })).isInstanceOf(TransactionAbortedException.class);
            assertThat(probes).hasValue(1);
            assertThat(db.value(observer, T, 1)).isEqualTo(100);

            SqlTransaction healthy = SqlTransaction.call(opaque, JdbcOptions.defaults(), t -> {
                t.update(BUMP);
                t.commit();
                return t;
            });
            assertThat(healthy.state()).isEqualTo(SqlTransaction.State.COMMITTED);
            assertThat(probes).hasValue(2);
            assertThat(db.value(observer, T, 1)).isEqualTo(101);
        }
    }

    /** A connection that hides its driver ({@code unwrap} fails) and counts the statements it creates. */
    private static Connection opaque(Connection real, AtomicInteger statementsCreated) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "unwrap" -> throw new SQLException("not a wrapper");
                        case "isWrapperFor" -> {
                            return false;
                        }
                        case "createStatement" -> statementsCreated.incrementAndGet();
                        default -> {
                            // passed on
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("the driver's transaction status is read through a HikariCP connection (pgjdbc: OPEN, then FAILED; MariaDB: not known)")
    void driverStatusThroughAPool(Db db) throws Exception {
        reset(db);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.url);
        config.setMaximumPoolSize(1);
        config.setPoolName("ck-status-" + db);
        try (HikariDataSource pool = new HikariDataSource(config); Connection c = pool.getConnection()) {
            if (db == Db.MARIADB) {
                assertThat(ServerTransaction.pgjdbcFailed(c)).isEmpty();
                return;
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate(BUMP);
                assertThat(ServerTransaction.pgjdbcFailed(c)).contains(false);
                assertThatThrownBy(() -> s.executeUpdate(AUDIT_DUPLICATE)).isInstanceOf(SQLException.class);
                assertThat(ServerTransaction.pgjdbcFailed(c)).contains(true);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }
}
