package org.cancelkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The two real databases the tests run against (loopback; see the module README), and how to ask each
 * one, from a second connection, what the server is doing: the server's own views, never a guess.
 */
enum Db {
    POSTGRES("jdbc:postgresql://127.0.0.1:5432/test?user=postgres", "SELECT pg_sleep(30)",
            "SELECT pg_backend_pid()",
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND state = 'active'",
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND state LIKE 'idle in transaction%'",
            "SELECT pg_terminate_backend(?::int)"),
    MARIADB("jdbc:mariadb://127.0.0.1:3306/test?user=root&sslMode=disable", "SELECT SLEEP(30)",
            "SELECT connection_id()",
            "SELECT count(*) FROM information_schema.PROCESSLIST WHERE ID = ? AND COMMAND = 'Query'",
            null, // information_schema.innodb_trx is a cache refreshed at most every 100 ms: stale; see below
            "KILL ?");

    /** How long a test waits for the server to show an event before it fails (never a fixed sleep). */
    static final Duration EVENT_WAIT = Duration.ofSeconds(10);

    final String url;
    final String sleep30;
    private final String idSql;
    private final String runningSql;
    private final String openTxSql; // null: read SHOW ENGINE INNODB STATUS, which is live
    private final String killSql;

    Db(String url, String sleep30, String idSql, String runningSql, @org.jspecify.annotations.Nullable String openTxSql,
       String killSql) {
        this.url = url;
        this.sleep30 = sleep30;
        this.idSql = idSql;
        this.runningSql = runningSql;
        this.openTxSql = openTxSql;
        this.killSql = killSql;
    }

    /** The tables this test JVM made, dropped on both databases when it exits. */
    private static final Set<String> TABLES = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean DROP_AT_EXIT = new AtomicBoolean();

    /**
     * This run's name for a test table: {@code base} and the test JVM's process id, so that two runs at
     * once (two worktrees, CI and a developer) never share rows. Dropped when the JVM exits; a run that
     * was killed leaves its tables behind, harmlessly.
     */
    static String table(String base) {
        String name = base + "_" + ProcessHandle.current().pid();
        TABLES.add(name);
        if (DROP_AT_EXIT.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(Db::dropTables));
        }
        return name;
    }

    private static void dropTables() {
        for (Db db : values()) {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                // Bounded: a session still holding a lock on a table must not hold up the JVM's exit.
                s.execute(db == POSTGRES ? "SET lock_timeout = '2s'" : "SET SESSION lock_wait_timeout = 2");
                for (String table : TABLES) {
                    s.execute("DROP TABLE IF EXISTS " + table);
                }
            } catch (SQLException e) {
                System.err.println("could not drop the test tables " + TABLES + " on " + db + ": " + e);
            }
        }
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** A table of its own for each test class, with rows 1 and 2 at value 100. */
    void resetTable(String table) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " (id INT PRIMARY KEY, v INT NOT NULL)");
            s.execute("DELETE FROM " + table);
            s.execute("INSERT INTO " + table + " (id, v) VALUES (1, 100), (2, 100)");
        }
    }

    long sessionId(Connection c) throws SQLException {
        return single(c, idSql);
    }

    /** True while the session runs a statement, as the server's own view says. */
    boolean isRunning(Connection observer, long session) throws SQLException {
        return single(observer, runningSql, session) > 0;
    }

    /**
     * True while the session runs this database's 30 s sleep itself: {@link #isRunning} alone is also
     * true during a statement sent before it (an UPDATE), and a test that acts then races that statement.
     */
    boolean isSleeping(Connection observer, long session) throws SQLException {
        String sql = this == POSTGRES ? runningSql + " AND query LIKE '%pg_sleep(30)%'"
                : runningSql + " AND INFO LIKE '%SLEEP(30)%'";
        return single(observer, sql, session) > 0;
    }

    /**
     * True while the session runs an UPDATE waiting for a row lock: {@link #isRunning} alone is also true
     * while the transaction begins (MariaDB's driver sends {@code setAutoCommit(false)} as a statement of
     * its own), and a cancel that lands then is a plain interrupt outside any statement's cancel.
     */
    boolean isWaitingForRowLock(Connection observer, long session) throws SQLException {
        String sql = this == POSTGRES ? runningSql + " AND wait_event_type = 'Lock' AND query LIKE 'UPDATE%'"
                : runningSql + " AND INFO LIKE 'UPDATE%'";
        return single(observer, sql, session) > 0;
    }

    /** True while the session has an open transaction, as the server's own view says. */
    boolean hasOpenTransaction(Connection observer, long session) throws SQLException {
        if (openTxSql != null) {
            return single(observer, openTxSql, session) > 0;
        }
        // MariaDB: each "---TRANSACTION n, ACTIVE k sec" block names its session ("thread id N,"). What comes
        // before the first block is not a live transaction: its "LATEST DETECTED DEADLOCK" section names the
        // sessions of a past deadlock in the same words.
        String status;
        try (Statement s = observer.createStatement(); ResultSet rs = s.executeQuery("SHOW ENGINE INNODB STATUS")) {
            assertThat(rs.next()).isTrue();
            status = rs.getString("Status");
        }
        String[] blocks = status.split("---TRANSACTION ");
        for (int i = 1; i < blocks.length; i++) {
            String block = blocks[i];
            if (block.contains(", ACTIVE") && block.contains("thread id " + session + ",")) {
                return true;
            }
        }
        return false;
    }

    /** Ends the session on the server; a session that has already ended is fine. */
    void kill(Connection observer, long session) throws SQLException {
        try (PreparedStatement ps = observer.prepareStatement(killSql)) {
            ps.setLong(1, session);
            ps.execute();
        } catch (SQLException e) {
            if (isRunning(observer, session)) {
                throw e;
            }
            // MariaDB: "Unknown thread id": the session is already gone, which is what was wanted
        }
    }

    /** True when another transaction can take the row lock at once (NOWAIT), released afterwards. */
    boolean rowLockFree(Connection observer, String table, int id) throws SQLException {
        boolean auto = observer.getAutoCommit();
        observer.setAutoCommit(false);
        try (Statement s = observer.createStatement()) {
            s.executeQuery("SELECT v FROM " + table + " WHERE id = " + id + " FOR UPDATE NOWAIT").close();
            return true;
        } catch (SQLException lockHeld) {
            return false; // PostgreSQL 55P03, MariaDB 1205/3572: the lock is held by someone else
        } finally {
            observer.rollback();
            observer.setAutoCommit(auto);
        }
    }

    int value(Connection observer, String table, int id) throws SQLException {
        return (int) single(observer, "SELECT v FROM " + table + " WHERE id = ?", id);
    }

    static long single(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as(sql).isTrue();
                return rs.getLong(1);
            }
        }
    }

    /** Polls the server (bounded) until {@code condition} holds; fails the test if it never does. */
    static void await(String what, SqlCondition condition) throws SQLException, InterruptedException {
        long end = System.nanoTime() + EVENT_WAIT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the server did not show " + what + " within " + EVENT_WAIT);
            }
            Thread.sleep(5); // a poll interval, not a wait for something to happen: the loop checks
        }
    }

    /** A check against the server. */
    @FunctionalInterface
    interface SqlCondition {
        boolean holds() throws SQLException;
    }
}
