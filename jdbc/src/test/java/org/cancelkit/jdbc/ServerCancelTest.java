package org.cancelkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * D2 (and C9): a cancelled statement is stopped on the server, which releases its locks; the
 * connection stays usable. Checked from a second connection through the server's own views
 * ({@code pg_stat_activity}, {@code information_schema.PROCESSLIST}) and by taking the row lock.
 */
class ServerCancelTest {
    private static final String T = Db.table("ck_jdbc_cancel");

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D2: a timeout stops the query on the server, the lock is free, the row unchanged, the connection usable")
    void timeoutStopsTheQueryOnTheServer(Db db) throws Exception {
        db.resetTable(T);
        VirtualClock clock = VirtualClock.create();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            long session = db.sessionId(c);
            clock.run(() -> {
                Thread tx = clock.fork("tx", () -> {
                    try {
                        Timeout.call(Duration.ofMillis(300), () -> SqlTransaction.call(c, JdbcOptions.defaults(), t -> {
                            t.update("UPDATE " + T + " SET v = v + 1 WHERE id = 1");
                            t.query(db.sleep30, r -> r.getObject(1));
                            t.commit();
                            return null;
                        }));
                    } catch (Throwable e) {
                        outcome.set(e);
                    }
                });
                Db.await("the sleep running with the row lock held",
                        () -> db.isSleeping(observer, session) && !db.rowLockFree(observer, T, 1));
                clock.advance(Duration.ofMillis(300)); // the deadline: Statement.cancel() runs here
                clock.join(tx);
            });
            assertThat(outcome.get()).isInstanceOf(DeadlineExceededException.class);
            if (db == Db.POSTGRES) { // MariaDB's SLEEP returns 1 when killed instead of failing
                SQLException cause = sqlCause(outcome.get());
                assertThat(cause != null ? cause.getSQLState() : null).as("the driver's error is kept as the cause")
                        .isEqualTo("57014");
            }
            Db.await("the query gone", () -> !db.isRunning(observer, session));
            assertThat(db.rowLockFree(observer, T, 1)).as("row lock released").isTrue();
            assertThat(db.hasOpenTransaction(observer, session)).as("no open transaction").isFalse();
            assertThat(db.value(observer, T, 1)).as("row unchanged").isEqualTo(100);
            assertThat(c.getAutoCommit()).as("autocommit restored").isTrue();
            assertThat(Db.single(c, "SELECT 1")).as("the same connection still works").isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D2: a cancel from outside surfaces as CancelledException and stops the query on the server")
    void outsideCancelIsCancelledException(Db db) throws Exception {
        db.resetTable(T);
        CancellationSource token = CancellationSource.create();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        try (Connection c = db.connect(); Connection observer = db.connect(); Statement s = c.createStatement()) {
            long session = db.sessionId(c);
            Thread worker = Thread.ofVirtual().start(() -> {
                try {
                    token.call(() -> Statements.call(s, st -> st.execute(db.sleep30)));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            Db.await("the sleep running", () -> db.isSleeping(observer, session));
            token.cancel("the caller gave up");
            worker.join();
            assertThat(outcome.get()).isInstanceOf(CancelledException.class);
            assertThat(((CancelledException) outcome.get()).reason().message()).isEqualTo("the caller gave up");
            Db.await("the query gone", () -> !db.isRunning(observer, session));
            assertThat(Db.single(c, "SELECT 1")).as("the same connection still works").isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D2: a statement waiting for a row lock is cancelled on the server; CancelledException carries the driver's cancel error")
    void cancelWhileWaitingForALock(Db db) throws Exception {
        db.resetTable(T);
        CancellationSource token = CancellationSource.create();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        try (Connection holder = db.connect(); Connection c = db.connect(); Connection observer = db.connect()) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.executeUpdate("UPDATE " + T + " SET v = 1 WHERE id = 1"); // holds the row lock
            }
            long session = db.sessionId(c);
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    token.call(() -> SqlTransaction.call(c, JdbcOptions.defaults(), tx -> {
                        tx.update("UPDATE " + T + " SET v = 2 WHERE id = 1"); // waits for the lock
                        tx.commit();
                        return null;
                    }));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            Db.await("the UPDATE waiting for the lock", () -> db.isWaitingForRowLock(observer, session));
            token.cancel("the caller gave up waiting");
            waiter.join();
            holder.rollback();
            assertThat(outcome.get()).isInstanceOf(CancelledException.class);
            SQLException cause = sqlCause(outcome.get());
            assertThat(cause != null ? cause.getSQLState() : null).as("the driver's cancel error is the cause")
                    .isEqualTo(db == Db.POSTGRES ? "57014" : "70100");
            assertThat(db.hasOpenTransaction(observer, session)).isFalse();
            assertThat(db.value(observer, T, 1)).isEqualTo(100);
            assertThat(Db.single(c, "SELECT 1")).isEqualTo(1);
        }
    }

    /**
     * Negative control for D2: the same transaction stopped by a plain interrupt (what a timeout does
     * to code outside a cancel-action region). The client gives up, but the server keeps running the
     * query and keeps the row locked: exactly what the checks above would catch.
     */
    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D2 negative control: a plain interrupt leaves the query running on the server and the lock held")
    void negativeControl_interruptLeavesTheQueryRunning(Db db) throws Exception {
        db.resetTable(T);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        try (Connection c = db.connect(); Connection observer = db.connect()) {
            long session = db.sessionId(c);
            Thread worker = Thread.ofVirtual().start(() -> {
                try (Statement s = c.createStatement()) {
                    c.setAutoCommit(false);
                    s.executeUpdate("UPDATE " + T + " SET v = v + 1 WHERE id = 1");
                    s.execute(db.sleep30);
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            try {
                Db.await("the sleep running", () -> db.isSleeping(observer, session));
                worker.interrupt();
                worker.join();
                assertThat(outcome.get()).as("the client saw its call fail").isNotNull();
                assertThat(db.isRunning(observer, session)).as("the server still runs the query").isTrue();
                assertThat(db.rowLockFree(observer, T, 1)).as("the row lock is still held").isFalse();
            } finally {
                db.kill(observer, session);
                Db.await("the session killed", () -> !db.isRunning(observer, session));
            }
        }
    }

    /**
     * C9's escalation: a statement whose {@code cancel()} does nothing (a driver that cannot cancel, a
     * network that drops the cancel request) is still running after the grace, so its connection is
     * aborted and the caller gets its {@link DeadlineExceededException} (the server, not told, may keep
     * running the query: the abort frees the caller, which is all a last resort can do).
     * Virtual time: the deadline and the grace are clock steps, not waits.
     */
    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D2/C9: when Statement.cancel() does not stop the query, Connection.abort does after the grace")
    void escalationAbortsTheConnection(Db db) throws Exception {
        db.resetTable(T);
        VirtualClock clock = VirtualClock.create();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger cancels = new java.util.concurrent.atomic.AtomicInteger();
        JdbcOptions options = JdbcOptions.defaults().withCancelGrace(Duration.ofSeconds(2));
        try (Connection c = db.connect(); Connection observer = db.connect(); Statement real = c.createStatement()) {
            long session = db.sessionId(c);
            Statement deaf = (Statement) java.lang.reflect.Proxy.newProxyInstance(Statement.class.getClassLoader(),
                    new Class<?>[] {Statement.class}, (proxy, method, args) -> {
                        if (method.getName().equals("cancel")) {
                            cancels.incrementAndGet();
                            return null; // the cancel is lost
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            clock.run(() -> {
                Thread worker = clock.fork("statement", () -> {
                    try {
                        Timeout.call(Duration.ofMillis(300), () -> Statements.call(deaf, options, s -> s.execute(db.sleep30)));
                    } catch (Throwable e) {
                        outcome.set(e);
                    }
                });
                Db.await("the sleep running", () -> db.isSleeping(observer, session));
                clock.advance(Duration.ofMillis(300)); // the deadline: the (lost) cancel runs
                assertThat(cancels).hasValue(1);
                assertThat(db.isRunning(observer, session)).as("still running after the lost cancel").isTrue();
                clock.advance(Duration.ofSeconds(2)); // the grace: Connection.abort
                clock.join(worker);
            });
            try {
                assertThat(outcome.get()).isInstanceOf(DeadlineExceededException.class);
                assertThat(c.isClosed()).as("the escalation aborted the connection").isTrue();
            } finally {
                // The last resort frees the caller, not the server: a session whose client vanished
                // keeps sleeping (C9's reason to cancel first). Kill it so the next test starts clean.
                db.kill(observer, session);
                Db.await("the killed session's query gone", () -> !db.isRunning(observer, session));
            }
        }
    }

    static SQLException sqlCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException e) {
                return e;
            }
        }
        return null;
    }
}
