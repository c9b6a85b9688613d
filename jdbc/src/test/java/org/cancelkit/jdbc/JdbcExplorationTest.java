package org.cancelkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.cancelkit.Cancellation;
import org.cancelkit.CheckedRunnable;
import org.cancelkit.testkit.CancellationExplorer;
import org.cancelkit.testkit.ExplorationReport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * D1 at every cancellation point: the testkit's {@link CancellationExplorer} runs a transfer once to
 * count its cancellation points (BEGIN, each statement, COMMIT), then again cancelled at each point in
 * turn, and again failed there with an injected {@link SQLException}; after every run the database is
 * checked from a second connection. A negative control (an unguarded transfer whose cleanup is
 * {@code setAutoCommit(true)}) shows the same explorer and checks report a half-applied transfer.
 */
class JdbcExplorationTest {
    private static final String T = Db.table("ck_jdbc_explore");

    private static ExplorationReport explore(Db db, Connection c, Connection observer, CheckedRunnable<?> transfer,
                                             boolean inject) {
        CancellationExplorer explorer = CancellationExplorer.explore(transfer)
                .before(() -> db.resetTable(T))
                .check("D1: both rows old or both new, never half a transfer",
                        () -> assertThat(rows(db, observer)).isIn(List.of(100, 100), List.of(70, 130)))
                .check("a transfer that returned is committed", run -> {
                    if (run.completed()) {
                        assertThat(rows(db, observer)).isEqualTo(List.of(70, 130));
                    }
                })
                .check("D1: no open transaction, the lock free, autocommit restored", () -> {
                    assertThat(db.hasOpenTransaction(observer, db.sessionId(c))).isFalse();
                    assertThat(db.rowLockFree(observer, T, 1)).isTrue();
                    assertThat(c.getAutoCommit()).isTrue();
                })
                .onSystemClock();
        if (inject) {
            explorer = explorer.injecting(() -> new SQLException("injected failure", "08006"));
        }
        return explorer.run();
    }

    private static List<Integer> rows(Db db, Connection observer) throws SQLException {
        return List.of(db.value(observer, T, 1), db.value(observer, T, 2));
    }

    private static void guardedTransfer(Connection c) throws SQLException {
        SqlTransaction.call(c, JdbcOptions.defaults(), tx -> {
            tx.update("UPDATE " + T + " SET v = v - 30 WHERE id = 1");
            tx.update("UPDATE " + T + " SET v = v + 30 WHERE id = 2");
            tx.commit();
            return null;
        });
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1: a transfer cancelled at each of its cancellation points is all or nothing, and leaves nothing open")
    void cancelledAtEveryPoint(Db db) throws Exception {
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            ExplorationReport report = explore(db, c, observer, () -> guardedTransfer(c), false);
            assertThat(report.points()).as(report.toString()).isEqualTo(4); // BEGIN, two statements, COMMIT
            report.assertAllHeld();
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1: a transfer failed (SQLException) at each of its cancellation points is all or nothing")
    void failedAtEveryPoint(Db db) throws Exception {
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            ExplorationReport report = explore(db, c, observer, () -> guardedTransfer(c), true);
            report.assertAllHeld();
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1 negative control: an unguarded transfer cancelled between its statements is half applied")
    void negativeControl_unguardedTransferIsTorn(Db db) throws Exception {
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            ExplorationReport report = explore(db, c, observer, () -> {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE " + T + " SET v = v - 30 WHERE id = 1");
                    Cancellation.check();
                    s.executeUpdate("UPDATE " + T + " SET v = v + 30 WHERE id = 2");
                    c.commit();
                } finally {
                    c.setAutoCommit(true); // commits whatever is open: the classic unguarded cleanup
                }
            }, false);
            assertThat(report.brokenPoints()).containsExactly(1);
            assertThatThrownBy(report::assertAllHeld).hasMessageContaining("never half a transfer");
        }
    }
}
