package org.cancelkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.jdbc.internal.Sql;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * D4: the current deadline becomes the statement's query timeout (seconds rounded up, at least 1), on
 * PostgreSQL optionally the server's {@code statement_timeout} in milliseconds, and a statement whose
 * deadline has passed is not sent. Time is a {@link VirtualClock}, so the remaining time is exact.
 */
class DeadlineTimeoutTest {

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D4: the remaining time becomes the query timeout, in seconds rounded up, and is restored afterwards")
    void remainingTimeBecomesTheQueryTimeout(Db db) throws Exception {
        VirtualClock clock = VirtualClock.create();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            clock.run(() -> {
                assertThat(timeoutSeenWithin(Duration.ofMillis(1500), s)).isEqualTo(2);
                assertThat(timeoutSeenWithin(Duration.ofMillis(200), s)).isEqualTo(1);
                assertThat(timeoutSeenWithin(Duration.ofSeconds(3), s)).isEqualTo(3);
                assertThat(timeoutSeenWithin(Duration.ofNanos(1), s)).isEqualTo(1);
                assertThat(Statements.call(s, Statement::getQueryTimeout)).as("no deadline: untouched").isZero();
                s.setQueryTimeout(1);
                assertThat(timeoutSeenWithin(Duration.ofSeconds(10), s)).as("a shorter own timeout is kept").isEqualTo(1);
                s.setQueryTimeout(30);
                assertThat(timeoutSeenWithin(Duration.ofSeconds(10), s)).isEqualTo(10);
            });
            assertThat(s.getQueryTimeout()).as("restored after the call").isEqualTo(30);
        }
    }

    private static int timeoutSeenWithin(Duration timeout, Statement s) throws SQLException {
        return Timeout.call(timeout, () -> Statements.call(s, Statement::getQueryTimeout));
    }

    @Test
    @DisplayName("D4: when restoring the query timeout fails after the statement failed, the statement's error is kept")
    void restoreFailureDoesNotHideTheError() throws Exception {
        VirtualClock clock = VirtualClock.create();
        try (Connection c = Db.POSTGRES.connect(); Statement real = c.createStatement()) {
            java.util.concurrent.atomic.AtomicInteger sets = new java.util.concurrent.atomic.AtomicInteger();
            Statement s = (Statement) java.lang.reflect.Proxy.newProxyInstance(Statement.class.getClassLoader(),
                    new Class<?>[] {Statement.class}, (proxy, method, args) -> {
                        if (method.getName().equals("setQueryTimeout") && sets.incrementAndGet() == 2) {
                            throw new SQLException("restore failed");
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            SQLException boom = new SQLException("boom", "22012");
            clock.run(() -> assertThatThrownBy(() -> Timeout.call(Duration.ofSeconds(5), () -> Statements.call(s, st -> {
                throw boom;
            }))).isSameAs(boom));
            assertThat(boom.getSuppressed()).extracting(Throwable::getMessage).containsExactly("restore failed");
        }
    }

    @Test
    @DisplayName("D4: rounding: whole seconds up, never 0 (which JDBC reads as 'no timeout'), saturating")
    void rounding() {
        assertThat(Sql.queryTimeoutSeconds(Duration.ofNanos(1))).isEqualTo(1);
        assertThat(Sql.queryTimeoutSeconds(Duration.ofSeconds(1))).isEqualTo(1);
        assertThat(Sql.queryTimeoutSeconds(Duration.ofMillis(1001))).isEqualTo(2);
        assertThat(Sql.queryTimeoutSeconds(Duration.ofDays(365 * 1000L))).isEqualTo(Integer.MAX_VALUE);
        assertThat(Sql.statementTimeoutMillis(Duration.ofNanos(1))).isEqualTo(1);
        assertThat(Sql.statementTimeoutMillis(Duration.ofNanos(1_000_001))).isEqualTo(2);
        assertThat(Sql.statementTimeoutMillis(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Integer.MAX_VALUE);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D4: a statement whose deadline has passed is not sent")
    void passedDeadlineIsNotSent(Db db) throws Exception {
        VirtualClock clock = VirtualClock.create();
        AtomicBoolean sent = new AtomicBoolean();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            clock.run(() -> {
                CancellationSource token = CancellationSource.create().child(Duration.ofMillis(100));
                clock.advance(Duration.ofMillis(100));
                assertThatThrownBy(() -> token.call(() -> Statements.call(s, st -> {
                    sent.set(true);
                    return st.execute("SELECT 1");
                }))).isInstanceOf(CancelledException.class);
                assertThatThrownBy(() -> Timeout.call(Duration.ZERO, () -> Statements.call(s, st -> {
                    sent.set(true);
                    return st.execute("SELECT 1");
                }))).isInstanceOf(DeadlineExceededException.class);
            });
            assertThat(sent).isFalse();
        }
    }

    @Test
    @DisplayName("D4: on PostgreSQL, with the option, the deadline becomes SET LOCAL statement_timeout in ms, reset after")
    void postgresServerTimeout() throws Exception {
        VirtualClock clock = VirtualClock.create();
        JdbcOptions on = JdbcOptions.defaults().withServerStatementTimeout(true);
        try (Connection c = Db.POSTGRES.connect()) {
            List<String> seen = clock.call(() -> SqlTransaction.call(c, on, tx -> {
                String within = Timeout.call(Duration.ofMillis(1500), () -> setting(tx));
                String after = setting(tx);
                return List.of(within, after);
            }));
            assertThat(seen).containsExactly("1500ms", "0");
        }
    }

    /** Negative control: without the option the server's statement_timeout is untouched. */
    @Test
    @DisplayName("D4 negative control: without the option the server's statement_timeout stays 0")
    void negativeControl_postgresServerTimeoutOff() throws Exception {
        VirtualClock clock = VirtualClock.create();
        try (Connection c = Db.POSTGRES.connect()) {
            String seen = clock.call(() -> SqlTransaction.call(c, JdbcOptions.defaults(),
                    tx -> Timeout.call(Duration.ofMillis(1500), () -> setting(tx))));
            assertThat(seen).isEqualTo("0");
        }
    }

    @Test
    @DisplayName("D4: the server's statement_timeout stops the query by itself, even when the client never cancels")
    void postgresServerTimeoutStopsTheQuery() throws Exception {
        VirtualClock clock = VirtualClock.create(); // never advanced: cancelkit's own cancel never fires
        JdbcOptions on = JdbcOptions.defaults().withServerStatementTimeout(true);
        try (Connection c = Db.POSTGRES.connect()) {
            assertThatThrownBy(() -> clock.call(() -> SqlTransaction.call(c, on,
                    tx -> Timeout.call(Duration.ofMillis(5), () -> tx.query("SELECT pg_sleep(30)", r -> r.getObject(1))))))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("statement timeout")
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("57014");
            assertThat(c.getAutoCommit()).isTrue();
            assertThat(Db.single(c, "SELECT 1")).isEqualTo(1);
        }
    }

    private static String setting(SqlTransaction tx) throws SQLException {
        return tx.query("SELECT current_setting('statement_timeout')", r -> r.getString(1)).getFirst();
    }
}
