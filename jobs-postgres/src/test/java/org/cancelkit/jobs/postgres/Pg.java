package org.cancelkit.jobs.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * The real PostgreSQL the tests run against (loopback, as the jdbc module's tests: see jdbc/README.md),
 * and table prefixes of their own for each test JVM and test, so concurrent runs never collide.
 */
final class Pg {
    static final String URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private Pg() {}

    static DataSource dataSource() {
        return UrlDataSource.of(URL);
    }

    /** A prefix no other JVM or test uses: the pid and a random part. */
    static String freshPrefix() {
        return "ckt" + Long.toString(ProcessHandle.current().pid(), 36) + "_"
                + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36) + "_";
    }

    /** Drops every table of a prefix (and the test's sink). */
    static void drop(String prefix) throws SQLException {
        try (Connection c = dataSource().getConnection()) {
            List<String> tables = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT tablename FROM pg_tables WHERE schemaname = "
                    + "current_schema() AND starts_with(tablename, ?)")) {
                s.setString(1, prefix);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        tables.add(r.getString(1));
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                for (String t : tables) {
                    s.execute("DROP TABLE IF EXISTS " + t + " CASCADE");
                }
            }
        }
    }

    static long count(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** The first column of the first row, a {@code timestamptz}, as an instant. */
    static java.time.Instant instant(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getObject(1, java.time.OffsetDateTime.class).toInstant();
            }
        }
    }

    static int update(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            return s.executeUpdate();
        }
    }

    static void execute(String sql) throws SQLException {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
