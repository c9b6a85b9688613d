package org.cancelkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.CancellationSource;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * D3: a commit is not interrupted halfway (shielded, bounded), and an outcome that cannot be known is
 * {@link CommitOutcomeUnknownException}, never "rolled back". Faults are injected with a proxy around
 * a real connection whose {@code commit()} misbehaves.
 */
class CommitOutcomeTest {
    private static final String T = Db.table("ck_jdbc_commit");
    private static final String BUMP = "UPDATE " + T + " SET v = v + 1 WHERE id = 1";

    /** What the proxy's commit does instead of (or around) the real one. */
    @FunctionalInterface
    interface CommitFault {
        void commit(Connection real) throws Exception;
    }

    /** What the proxy's {@code setAutoCommit(true)} does before the real one (it may throw). */
    @FunctionalInterface
    interface AutoCommitFault {
        void beforeRestore() throws Exception;
    }

    static Connection faulty(Connection real, CommitFault fault, Runnable onAbort) {
        return faulty(real, fault, onAbort, () -> {});
    }

    static Connection faulty(Connection real, CommitFault fault, Runnable onAbort, AutoCommitFault restore) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        fault.commit(real);
                        return null;
                    }
                    if (method.getName().equals("setAutoCommit") && Boolean.TRUE.equals(args[0])) {
                        restore.beforeRestore();
                    }
                    if (method.getName().equals("abort")) {
                        onAbort.run();
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
    @DisplayName("D3: the connection breaks after the server committed: reported unknown, and it did commit")
    void brokenAfterCommitIsUnknown(Db db) throws Exception {
        db.resetTable(T);
        try (Connection real = db.connect(); Connection observer = db.connect()) {
            Connection c = faulty(real, r -> {
                r.commit();
                throw new SQLException("An I/O error occurred while sending to the backend", "08006");
            }, () -> {});
            AtomicReference<SqlTransaction> tx = new AtomicReference<>();
            assertThatThrownBy(() -> SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                tx.set(t);
                t.update(BUMP);
                t.commit();
                return null;
            })).isInstanceOf(CommitOutcomeUnknownException.class)
                    .hasMessageContaining("may or may not have committed")
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08006");
            assertThat(tx.get().state()).isEqualTo(SqlTransaction.State.OUTCOME_UNKNOWN);
            assertThat(db.value(observer, T, 1)).as("it had in fact committed: 'rolled back' would be a lie")
                    .isEqualTo(101);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D3: the connection breaks before the commit reached the server: also unknown, and the server rolls back")
    void brokenBeforeCommitIsUnknown(Db db) throws Exception {
        db.resetTable(T);
        try (Connection real = db.connect(); Connection observer = db.connect()) {
            long session = db.sessionId(real);
            AtomicBoolean abortCalled = new AtomicBoolean();
            Connection c = faulty(real, r -> {
                throw new SQLException("Connection reset", "08006");
            }, () -> abortCalled.set(true));
            assertThatThrownBy(() -> SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                t.update(BUMP);
                t.commit();
                return null;
            })).isInstanceOf(CommitOutcomeUnknownException.class);
            assertThat(abortCalled).as("the connection was aborted, so no pool reuses it").isTrue();
            Db.await("the aborted session's transaction gone", () -> !db.hasOpenTransaction(observer, session));
            assertThat(db.value(observer, T, 1)).isEqualTo(100);
        }
    }

    /**
     * A COMMIT that fails with anything but a known refusal must not be read as rolled back: the server
     * shutting down under a session whose commit it had already made (57P01, as after a local commit
     * waiting for synchronous replication), or an error of no known meaning (XX000). The test below is
     * the control: a known refusal (40001) is a known outcome.
     */
    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D3: COMMIT failing with 57P01 (server going down) or an unknown error after the server committed: reported unknown")
    void otherCommitFailuresAreUnknown(Db db) throws Exception {
        for (String sqlState : new String[] {"57P01", "XX000"}) {
            db.resetTable(T);
            try (Connection real = db.connect(); Connection observer = db.connect()) {
                Connection c = faulty(real, r -> {
                    r.commit();
                    throw new SQLException("the server failed after committing", sqlState);
                }, () -> {});
                AtomicReference<SqlTransaction> tx = new AtomicReference<>();
                assertThatThrownBy(() -> SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                    tx.set(t);
                    t.update(BUMP);
                    t.commit();
                    return null;
                })).as(sqlState).isInstanceOf(CommitOutcomeUnknownException.class)
                        .hasMessageContaining("may or may not have committed");
                assertThat(tx.get().state()).as(sqlState).isEqualTo(SqlTransaction.State.OUTCOME_UNKNOWN);
                assertThat(db.value(observer, T, 1)).as(sqlState + ": it had in fact committed").isEqualTo(101);
            }
        }
    }

    /**
     * The commit succeeded, then restoring autocommit failed (a network round trip on MariaDB): the
     * caller must not see a failure it could read as "not committed" and retry. The connection is
     * aborted instead, so no pool reuses it with autocommit off.
     */
    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D3: a failure to restore autocommit after a successful commit is not reported as a failure; the connection is aborted")
    void autocommitRestoreFailureAfterCommit(Db db) throws Exception {
        db.resetTable(T);
        try (Connection real = db.connect(); Connection observer = db.connect()) {
            AtomicBoolean committed = new AtomicBoolean();
            AtomicBoolean aborted = new AtomicBoolean();
            Connection c = faulty(real, r -> {
                r.commit();
                committed.set(true);
            }, () -> aborted.set(true), () -> {
                if (committed.get()) {
                    throw new SQLException("Connection reset", "08006");
                }
            });
            SqlTransaction seen = SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                t.update(BUMP);
                t.commit();
                return t;
            });
            assertThat(seen.state()).isEqualTo(SqlTransaction.State.COMMITTED);
            assertThat(aborted).as("the connection was aborted, so no pool reuses it").isTrue();
            assertThat(db.value(observer, T, 1)).isEqualTo(101);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D3 control: a commit the server refused (40001) is a known failure, not unknown, and rolls back")
    void refusedCommitIsKnown(Db db) throws Exception {
        db.resetTable(T);
        try (Connection real = db.connect(); Connection observer = db.connect()) {
            Connection c = faulty(real, r -> {
                throw new SQLException("could not serialize access", "40001");
            }, () -> {});
            AtomicReference<SqlTransaction> tx = new AtomicReference<>();
            assertThatThrownBy(() -> SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                tx.set(t);
                t.update(BUMP);
                try {
                    t.commit();
                } catch (SQLException refused) {
                    assertThatThrownBy(() -> t.update(BUMP)).as("nothing more runs in a refused transaction")
                            .isInstanceOf(IllegalStateException.class).hasMessageContaining("refused");
                    throw refused;
                }
                return null;
            })).isInstanceOf(SQLException.class).isNotInstanceOf(CommitOutcomeUnknownException.class);
            assertThat(tx.get().state()).isEqualTo(SqlTransaction.State.ROLLED_BACK);
            assertThat(db.value(observer, T, 1)).isEqualTo(100);
            assertThat(db.hasOpenTransaction(observer, db.sessionId(real))).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D3: a cancel arriving while COMMIT runs does not interrupt it; the commit completes")
    void cancelDuringCommitDoesNotInterruptIt(Db db) throws Exception {
        db.resetTable(T);
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interruptedInCommit = new AtomicBoolean();
        CancellationSource token = CancellationSource.create();
        AtomicReference<SqlTransaction> tx = new AtomicReference<>();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        try (Connection real = db.connect(); Connection observer = db.connect()) {
            Connection c = faulty(real, slowCommit(inCommit, release, interruptedInCommit), () -> {});
            Thread worker = Thread.ofVirtual().start(() -> {
                try {
                    token.call(() -> SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                        tx.set(t);
                        t.update(BUMP);
                        t.commit();
                        return null;
                    }));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            inCommit.await();
            token.cancel("the caller gave up during COMMIT"); // interrupts are delivered before it returns
            release.countDown();
            worker.join();
            assertThat(outcome.get()).as("a commit that succeeded is not reported as a failure (D3)").isNull();
            assertThat(interruptedInCommit).as("the commit was not interrupted").isFalse();
            assertThat(tx.get().state()).isEqualTo(SqlTransaction.State.COMMITTED);
            assertThat(db.value(observer, T, 1)).isEqualTo(101);
        }
    }

    /**
     * Negative control: the same commit called without the shield, in the same sequence of steps, is
     * interrupted by the cancel and never reaches the server (the latch is never released here).
     */
    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D3 negative control: an unshielded commit is interrupted by the same cancel")
    void negativeControl_unshieldedCommitIsInterrupted(Db db) throws Exception {
        db.resetTable(T);
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interruptedInCommit = new AtomicBoolean();
        CancellationSource token = CancellationSource.create();
        try (Connection real = db.connect(); Connection observer = db.connect()) {
            Connection c = faulty(real, slowCommit(inCommit, release, interruptedInCommit), () -> {});
            Thread worker = Thread.ofVirtual().start(() -> {
                try {
                    token.call(() -> {
                        c.setAutoCommit(false);
                        try (var s = c.createStatement()) {
                            s.executeUpdate(BUMP);
                        }
                        c.commit();
                        return null;
                    });
                } catch (Throwable ignored) {
                    // expected: the cancel reached the commit
                }
            });
            inCommit.await();
            token.cancel("the caller gave up during COMMIT");
            worker.join(); // ends without release: the interrupt stopped the commit
            assertThat(interruptedInCommit).isTrue();
            real.rollback();
            assertThat(db.value(observer, T, 1)).isEqualTo(100);
        }
    }

    private static CommitFault slowCommit(CountDownLatch inCommit, CountDownLatch release, AtomicBoolean interrupted) {
        return r -> {
            inCommit.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                // Recorded for the test and rethrown: the commit stops here, as unshielded code would.
                interrupted.set(true);
                throw e;
            }
            r.commit();
        };
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D3: a commit past its budget aborts the connection and is reported unknown")
    void commitPastItsBudgetIsUnknown(Db db) throws Exception {
        db.resetTable(T);
        VirtualClock clock = VirtualClock.create();
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch aborted = new CountDownLatch(1);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        try (Connection real = db.connect(); Connection observer = db.connect()) {
            long session = db.sessionId(real);
            Connection c = faulty(real, r -> {
                inCommit.countDown();
                aborted.await(); // a commit stuck until the abort breaks the connection
                throw new SQLException("connection aborted", "08003");
            }, aborted::countDown);
            JdbcOptions options = JdbcOptions.defaults().withCommitBudget(Duration.ofSeconds(1));
            clock.run(() -> {
                Thread worker = clock.fork("tx", () -> {
                    try {
                        SqlTransaction.call(c, options, t -> {
                            t.update(BUMP);
                            t.commit();
                            return null;
                        });
                    } catch (Throwable e) {
                        outcome.set(e);
                    }
                });
                inCommit.await();
                clock.advance(Duration.ofSeconds(1));
                clock.join(worker);
            });
            assertThat(outcome.get()).isInstanceOf(CommitOutcomeUnknownException.class);
            Db.await("the aborted session's transaction gone", () -> !db.hasOpenTransaction(observer, session));
            assertThat(db.value(observer, T, 1)).isEqualTo(100);
        }
    }
}
