package org.cancelkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * D3 on MariaDB: a deadlock victim's whole transaction is rolled back by the server (SQLState 40001),
 * and statements after it run in a new transaction. A body that catches the deadlock and goes on would
 * otherwise commit only its later statements and report success: the earlier work is gone.
 */
class DeadlockVictimTest {
    private static final String T = Db.table("ck_jdbc_deadlock");
    private static final String HEAVY = Db.table("ck_jdbc_deadlock_heavy");

    @Test
    @DisplayName("D3: MariaDB deadlock victim, failure caught, later statement, commit: reported outcome and data agree")
    void caughtDeadlockThenCommit() throws Exception {
        caughtDeadlockThenCommit(false);
    }

    /** A savepoint cannot undo a class-40 failure: the server rolled back everything, savepoints included. */
    @Test
    @DisplayName("D3: the same with the deadlocked statement in withSavepoint: still refused as aborted")
    void caughtDeadlockInASavepointThenCommit() throws Exception {
        caughtDeadlockThenCommit(true);
    }

    private static void caughtDeadlockThenCommit(boolean inSavepoint) throws Exception {
        Db db = Db.MARIADB;
        db.resetTable(T);
        try (Connection c = db.connect(); Connection other = db.connect(); Connection observer = db.connect();
             Statement setup = observer.createStatement()) {
            setup.execute("CREATE TABLE IF NOT EXISTS " + HEAVY + " (id INT PRIMARY KEY)");
            setup.execute("DELETE FROM " + HEAVY);
            long otherSession = db.sessionId(other);
            // The other transaction changes many rows, so that InnoDB picks the guarded one (the lighter)
            // as the deadlock victim; then it holds row 2.
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                for (int i = 0; i < 200; i++) {
                    s.executeUpdate("INSERT INTO " + HEAVY + " (id) VALUES (" + i + ")");
                }
                s.executeUpdate("UPDATE " + T + " SET v = v + 1 WHERE id = 2");
            }
            AtomicReference<SQLException> deadlock = new AtomicReference<>();
            AtomicReference<SqlTransaction> tx = new AtomicReference<>();
            AtomicReference<Throwable> otherOutcome = new AtomicReference<>();
            Throwable thrown = null;
            try {
                SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                    tx.set(t);
                    t.update("UPDATE " + T + " SET v = v + 1 WHERE id = 1"); // holds row 1
                    Thread waiter = Thread.ofPlatform().start(() -> {
                        try (Statement s = other.createStatement()) {
                            s.executeUpdate("UPDATE " + T + " SET v = v + 1 WHERE id = 1"); // waits for row 1
                        } catch (SQLException e) {
                            otherOutcome.set(e);
                        }
                    });
                    try {
                        Db.await("the other transaction waiting for row 1", () -> db.isRunning(observer, otherSession));
                    } catch (InterruptedException e) {
                        // Restored and turned into a failure: the test thread is not interrupted by design.
                        Thread.currentThread().interrupt();
                        throw new AssertionError(e);
                    }
                    String cycle = "UPDATE " + T + " SET v = v + 1 WHERE id = 2"; // the cycle: this one is the victim
                    try {
                        if (inSavepoint) {
                            t.withSavepoint(s -> s.update(cycle));
                        } else {
                            t.update(cycle);
                        }
                    } catch (SQLException e) {
                        deadlock.set(e); // caught, and the body goes on: not allowed
                    }
                    join(waiter);
                    other.rollback();
                    t.update("UPDATE " + T + " SET v = v + 10 WHERE id = 2");
                    t.commit();
                    return null;
                });
            } catch (SQLException e) {
                thrown = e;
            }
            assertThat(otherOutcome.get()).as("the other transaction was not the victim").isNull();
            assertThat((Throwable) deadlock.get()).as("the guarded transaction was the deadlock victim").isNotNull();
            assertThat(deadlock.get().getSQLState()).isEqualTo("40001");
            int row1 = db.value(observer, T, 1);
            int row2 = db.value(observer, T, 2);
            boolean reportedCommitted = thrown == null && tx.get().state() == SqlTransaction.State.COMMITTED;
            boolean allWorkPresent = row1 == 101 && row2 == 110;
            assertThat(reportedCommitted).as("reported committed (%s, %s) iff all the body's work is there (rows %d, %d)",
                    tx.get().state(), thrown, row1, row2).isEqualTo(allWorkPresent);
            assertThat(thrown).isInstanceOf(TransactionAbortedException.class)
                    .hasMessageContaining("40001").hasCause(deadlock.get());
            assertThat(row1).isEqualTo(100);
            assertThat(row2).as("the statement after the deadlock is not committed either").isEqualTo(100);
            assertThat(db.hasOpenTransaction(observer, db.sessionId(c))).isFalse();
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            // Restored and turned into a failure: the test thread is not interrupted by design.
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
