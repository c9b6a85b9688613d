package org.cancelkit.cli;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.cancelkit.jdbc.JdbcOptions;
import org.cancelkit.jdbc.SqlTransaction;
import org.jspecify.annotations.Nullable;

/** The jdbc module's scenario: a database transaction that rolls back when its caller gives up. */
final class DatabaseScenarios {
    private DatabaseScenarios() {}

    /** Where the scenario looks for PostgreSQL (loopback, trust auth), unless -Dcancelkit.tour.pgUrl says otherwise. */
    static final String PG_URL = System.getProperty("cancelkit.tour.pgUrl",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&connectTimeout=2");

    /**
     * The database the scenario runs on: the PostgreSQL server answering at its URL, or, when none
     * answers, an {@link EmbeddedPostgres} started for the tour. {@code -Dcancelkit.tour.db=server} uses
     * only the server, {@code embedded} only the embedded one; {@code auto} (the default) tries both.
     *
     * @param url where to connect
     * @param description which database it is, for the tour's output
     * @param embedded the embedded server to stop at the end, or null for a server the tour did not start
     */
    record TourDatabase(String url, String description, @Nullable EmbeddedPostgres embedded) implements AutoCloseable {

        static TourDatabase open(String serverUrl) throws IOException, InterruptedException {
            String mode = System.getProperty("cancelkit.tour.db", "auto");
            String serverProblem = "";
            if (!mode.equals("embedded")) {
                try (Connection c = DriverManager.getConnection(serverUrl)) {
                    return new TourDatabase(serverUrl, "the PostgreSQL server answering at " + serverUrl.replaceAll("\\?.*", "")
                            + " (PostgreSQL " + c.getMetaData().getDatabaseProductVersion() + ")", null);
                } catch (SQLException e) {
                    serverProblem = "no PostgreSQL answers at " + serverUrl + " (" + e.getMessage() + ")";
                }
                if (mode.equals("server")) {
                    throw new IOException(serverProblem + "; start it to see this scenario, e.g. pg_ctlcluster"
                            + " --skip-systemctl-redirect <version> main start (or drop -Dcancelkit.tour.db=server)");
                }
            }
            try {
                EmbeddedPostgres pg = EmbeddedPostgres.start();
                return new TourDatabase(pg.jdbcUrl(), pg.describe() + (mode.equals("embedded")
                        ? " (-Dcancelkit.tour.db=embedded)" : ", started because " + serverProblem), pg);
            } catch (IOException e) {
                throw new IOException((serverProblem.isEmpty() ? "" : serverProblem + ", and ")
                        + "the embedded PostgreSQL did not start: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    static List<Scenario> all() {
        return List.of(new TransactionRolledBack());
    }

    /**
     * A transaction takes a row lock and runs {@code pg_sleep(30)}; its 300 ms timeout fires; the
     * server has stopped the query when the call returns, the lock is free and the row unchanged.
     */
    static final class TransactionRolledBack implements Scenario {
        private static final String TABLE = "cancelkit_tour_account";
        private static final Duration TIMEOUT = Duration.ofMillis(300);
        private final String serverUrl;

        /** The scenario on the server at {@link #PG_URL}, or an embedded one when none answers there. */
        TransactionRolledBack() {
            this(PG_URL);
        }

        TransactionRolledBack(String serverUrl) {
            this.serverUrl = serverUrl;
        }

        @Override
        public String name() {
            return "db-rollback";
        }

        @Override
        public String title() {
            return "A database transaction is rolled back when its caller gives up: query stopped on the server, lock free";
        }

        @Override
        public String invariants() {
            return "D1 D2 C9";
        }

        @Override
        public void run(Report r) throws Exception {
            TourDatabase db;
            try {
                db = TourDatabase.open(serverUrl);
            } catch (IOException e) {
                r.skip(e.getMessage());
                return;
            }
            r.say("database: " + db.description());
            try (db; Connection c = DriverManager.getConnection(db.url());
                    Connection observer = DriverManager.getConnection(db.url())) {
                try (Statement s = observer.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id INT PRIMARY KEY, balance INT NOT NULL)");
                    s.execute("DELETE FROM " + TABLE);
                    s.execute("INSERT INTO " + TABLE + " VALUES (1, 100)");
                }
                long pid = single(c, "SELECT pg_backend_pid()");
                AtomicReference<@Nullable Throwable> outcome = new AtomicReference<>();
                AtomicLong returnedAt = new AtomicLong();
                long start = System.nanoTime();
                Thread caller = Thread.ofVirtual().name("tour-db-caller").start(() -> {
                    try {
                        Timeout.call(TIMEOUT, () -> SqlTransaction.call(c, JdbcOptions.defaults(), tx -> {
                            tx.update("UPDATE " + TABLE + " SET balance = balance - 50 WHERE id = 1");
                            tx.query("SELECT pg_sleep(30)", row -> row.getObject(1));
                            tx.commit();
                            return null;
                        }));
                    } catch (Throwable e) {
                        outcome.set(e);
                    }
                    returnedAt.set(System.nanoTime());
                });
                boolean sawRunning = awaitRunning(observer, pid, caller);
                caller.join(Duration.ofSeconds(10));
                long deadlineToReturnMs = (returnedAt.get() - start) / 1_000_000 - TIMEOUT.toMillis();
                String state = text(observer, "SELECT coalesce(state, '?') || ': ' || left(query, 40) FROM pg_stat_activity WHERE pid = " + pid);
                boolean lockFree = lockFree(observer);
                long balance = single(observer, "SELECT balance FROM " + TABLE + " WHERE id = 1");
                Throwable e = outcome.get();
                r.say("transaction: UPDATE balance - 50 (row lock taken), then SELECT pg_sleep(30); Timeout 300 ms");
                r.say("pg_stat_activity showed the sleep running with the lock held: " + sawRunning);
                r.say("the call threw " + (e == null ? "nothing" : e.getClass().getSimpleName()
                        + (e.getCause() != null ? ", cause: " + rootMessage(e) : "")) + ", "
                        + deadlineToReturnMs + " ms after the deadline");
                r.say("server session now: " + state);
                r.check("the sleep was running with the row lock held before the deadline", sawRunning);
                r.check("the caller saw DeadlineExceededException", e instanceof DeadlineExceededException);
                r.check("C9: it returned within 2 s of its deadline, not after the 30 s sleep", deadlineToReturnMs < 2_000);
                r.check("D2: the server stopped the query (its session is no longer active)", !state.startsWith("active"));
                r.check("D1: no transaction is open on the server", !state.startsWith("idle in transaction"));
                r.check("D2: the row lock is free (another transaction takes it with NOWAIT)", lockFree);
                r.check("D1: the row is unchanged (balance 100)", balance == 100);
                r.check("the connection is usable and back in autocommit", single(c, "SELECT 1") == 1 && c.getAutoCommit());
            }
        }

        private static boolean awaitRunning(Connection observer, long pid, Thread caller) throws SQLException, InterruptedException {
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < end && caller.isAlive()) {
                if (text(observer, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid
                        + " AND state = 'active' AND query LIKE '%pg_sleep%'").equals("1") && !lockFree(observer)) {
                    return true;
                }
                Thread.sleep(5); // a poll interval; the loop checks the server's own view
            }
            return false;
        }

        private static boolean lockFree(Connection observer) throws SQLException {
            observer.setAutoCommit(false);
            try (Statement s = observer.createStatement()) {
                s.executeQuery("SELECT balance FROM " + TABLE + " WHERE id = 1 FOR UPDATE NOWAIT").close();
                return true;
            } catch (SQLException held) {
                return false; // 55P03 lock_not_available
            } finally {
                observer.rollback();
                observer.setAutoCommit(true);
            }
        }

        private static String rootMessage(Throwable e) {
            Throwable t = e;
            while (t.getCause() != null) {
                t = t.getCause();
            }
            String m = String.valueOf(t.getMessage()).strip().lines().findFirst().orElse("");
            return (t instanceof SQLException s ? s.getSQLState() + " " : "") + m;
        }

        private static long single(Connection c, String sql) throws SQLException {
            return Long.parseLong(text(c, sql));
        }

        private static String text(Connection c, String sql) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "(no session)";
            }
        }
    }
}
