package org.cancelkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * D1: only an explicit commit persists; every other exit rolls back, restores autocommit, and leaves
 * no open transaction on the server (checked in the server's own views from a second connection).
 */
class TransactionRollbackTest {
    private static final String T = Db.table("ck_jdbc_tx");
    private static final String BUMP = "UPDATE " + T + " SET v = v + 1 WHERE id = 1";

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1: an explicit commit persists and restores autocommit")
    void commitPersists(Db db) throws Exception {
        db.resetTable(T);
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            SqlTransaction seen = SqlTransaction.call(c, JdbcOptions.defaults(), tx -> {
                assertThat(tx.update(BUMP)).isEqualTo(1);
                tx.commit();
                return tx;
            });
            assertThat(seen.state()).isEqualTo(SqlTransaction.State.COMMITTED);
            assertThat(db.value(observer, T, 1)).isEqualTo(101);
            assertThat(c.getAutoCommit()).isTrue();
            assertThat(db.hasOpenTransaction(observer, db.sessionId(c))).isFalse();
        }
    }

    /**
     * A second close of a committed transaction must do nothing: run again, its setAutoCommit(true)
     * would commit the next transaction opened on the same plain connection.
     */
    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1: close() is idempotent after a commit: closing it again does not commit a later transaction's work")
    void closeAgainAfterCommitTouchesNothing(Db db) throws Exception {
        db.resetTable(T);
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            SqlTransaction first = SqlTransaction.begin(c);
            first.update(BUMP);
            first.commit();
            first.close();
            assertThat(db.value(observer, T, 1)).isEqualTo(101);
            try (SqlTransaction second = SqlTransaction.begin(c)) {
                second.update(BUMP);
                first.close(); // again: must not touch the connection
                assertThat(db.value(observer, T, 1)).as("the second transaction is still uncommitted").isEqualTo(101);
            } // not committed: rolled back
            assertThat(db.value(observer, T, 1)).isEqualTo(101);
            assertThat(c.getAutoCommit()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1: forgetting to commit rolls back")
    void forgettingToCommitRollsBack(Db db) throws Exception {
        db.resetTable(T);
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            SqlTransaction seen = SqlTransaction.call(c, JdbcOptions.defaults(), tx -> {
                tx.update(BUMP);
                assertThat(tx.query("SELECT v FROM " + T + " WHERE id = 1", r -> r.getInt(1))).containsExactly(101);
                return tx;
            });
            assertThat(seen.state()).isEqualTo(SqlTransaction.State.ROLLED_BACK);
            assertClean(db, c, observer);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1: an exception rolls back, and the exception reaches the caller unchanged")
    void exceptionRollsBack(Db db) throws Exception {
        db.resetTable(T);
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            SQLException boom = new SQLException("boom");
            assertThatThrownBy(() -> SqlTransaction.call(c, JdbcOptions.defaults(), tx -> {
                tx.update(BUMP);
                throw boom;
            })).isSameAs(boom);
            assertClean(db, c, observer);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1: a cancellation between statements rolls back; the next statement is not sent")
    void cancellationRollsBack(Db db) throws Exception {
        db.resetTable(T);
        CancellationSource token = CancellationSource.create();
        AtomicBoolean secondSent = new AtomicBoolean();
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            assertThatThrownBy(() -> token.call(() -> SqlTransaction.call(c, JdbcOptions.defaults(), tx -> {
                tx.update(BUMP);
                token.cancel("the caller gave up");
                return tx.call("UPDATE " + T + " SET v = 0 WHERE id = 2", ps -> {
                    secondSent.set(true);
                    return ps.executeUpdate();
                });
            }))).isInstanceOf(CancelledException.class);
            assertThat(secondSent).as("a statement is not sent on a cancelled token").isFalse();
            assertClean(db, c, observer);
            assertThat(db.value(observer, T, 2)).isEqualTo(100);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1: through HikariCP, a transaction whose query was cancelled on the server returns its connection with no open transaction (5 rounds)")
    void pooledConnectionReturnsClean(Db db) throws Exception {
        for (int round = 0; round < 5; round++) {
            pooledConnectionReturnsClean(db, round);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @Tag("stress")
    @DisplayName("D1 stress: the pooled cancelled transaction, 100 rounds (MariaDB's KILL QUERY leaves the transaction open)")
    void pooledConnectionReturnsCleanStress(Db db) throws Exception {
        for (int round = 0; round < 100; round++) {
            pooledConnectionReturnsClean(db, round);
        }
    }

    private static void pooledConnectionReturnsClean(Db db, int round) throws Exception {
        db.resetTable(T);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.url);
        config.setMaximumPoolSize(1);
        config.setPoolName("ck-" + db + "-" + round);
        AtomicLong session = new AtomicLong(-1);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        CancellationSource token = CancellationSource.create();
        try (HikariDataSource pool = new HikariDataSource(config); Connection observer = db.connect()) {
            Thread worker = Thread.ofVirtual().start(() -> {
                try {
                    token.call(() -> SqlTransaction.call(pool, tx -> {
                        session.set(db.sessionId(tx.connection()));
                        tx.update(BUMP);
                        tx.query(db.sleep30, r -> r.getObject(1));
                        tx.commit();
                        return null;
                    }));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            Db.await("the sleep running", () -> session.get() >= 0 && db.isSleeping(observer, session.get()));
            token.cancel("the caller gave up");
            worker.join();
            assertThat(outcome.get()).isInstanceOf(CancelledException.class);
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("pool active").isZero();
            assertThat(db.hasOpenTransaction(observer, session.get())).as("round %d: no open transaction", round).isFalse();
            assertThat(db.rowLockFree(observer, T, 1)).as("round %d: lock free", round).isTrue();
            assertThat(db.value(observer, T, 1)).isEqualTo(100);
            try (Connection again = pool.getConnection()) {
                assertThat(db.sessionId(again)).as("the same pooled session is handed out again").isEqualTo(session.get());
                assertThat(again.getAutoCommit()).isTrue();
            }
        }
    }

    /**
     * Negative control for D1's checks: the same work without the guard (autocommit off, an update, an
     * exception, no rollback) leaves an open transaction holding the row lock, and the checks see it.
     */
    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1 negative control: without the guard an exception leaves the transaction open and the lock held")
    void negativeControl_withoutTheGuardTheTransactionStaysOpen(Db db) throws Exception {
        db.resetTable(T);
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            try (Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.executeUpdate(BUMP);
                throw new SQLException("boom");
            } catch (SQLException expected) {
                // what an unguarded caller does: nothing
            }
            assertThat(db.hasOpenTransaction(observer, db.sessionId(c))).isTrue();
            assertThat(db.rowLockFree(observer, T, 1)).isFalse();
            c.rollback();
        }
    }

    @Test
    @DisplayName("D1: a connection with autocommit off is refused with a message that says how to fix it")
    void autocommitOffIsRefused() throws Exception {
        try (Connection c = Db.POSTGRES.connect()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> SqlTransaction.begin(c))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("setAutoCommit(true)");
            assertThat(c.getAutoCommit()).isFalse();
        }
    }

    @Test
    @DisplayName("D1: nothing begins on a cancelled token")
    void nothingBeginsOnACancelledToken() throws Exception {
        CancellationSource token = CancellationSource.create();
        token.cancel();
        try (Connection c = Db.POSTGRES.connect()) {
            assertThatThrownBy(() -> token.call(() -> SqlTransaction.begin(c))).isInstanceOf(CancelledException.class);
            assertThat(c.getAutoCommit()).isTrue();
        }
    }

    @Test
    @DisplayName("bad options are refused with a message naming the part")
    void badOptions() {
        assertThatThrownBy(() -> JdbcOptions.defaults().withCommitBudget(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("commitBudget");
        assertThatThrownBy(() -> JdbcOptions.defaults().withCancelGrace(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cancelGrace");
    }

    private static void assertClean(Db db, Connection c, Connection observer) throws SQLException {
        assertThat(db.value(observer, T, 1)).as("row unchanged").isEqualTo(100);
        assertThat(db.rowLockFree(observer, T, 1)).as("row lock free").isTrue();
        assertThat(db.hasOpenTransaction(observer, db.sessionId(c))).as("no open transaction").isFalse();
        assertThat(c.getAutoCommit()).as("autocommit restored").isTrue();
    }
}
