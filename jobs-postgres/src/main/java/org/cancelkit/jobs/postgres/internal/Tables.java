package org.cancelkit.jobs.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The tables of one application (one prefix) and the schema's migrations.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li>Every identifier put into SQL text is {@code prefix + a constant}, and the prefix matched
 *       {@link #PREFIX} when this object was made: lower-case letters, digits and {@code _}, starting
 *       with a letter, so it needs no quoting and cannot close a statement. Values always travel as
 *       bind parameters.</li>
 *   <li>The migrations are numbered from 1 and never change once released; {@link #migrate} applies
 *       the missing ones in order, each in one transaction with the row that records it, under a
 *       transaction-scoped advisory lock keyed by the prefix, so concurrent callers serialise and
 *       a second call changes nothing.</li>
 * </ol>
 *
 * <p>Immutable and thread-safe.
 */
public final class Tables {
    /** What a table prefix may be (rule 1). */
    public static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,29}");

    private final String prefix;

    /**
     * Validates a prefix.
     *
     * @param prefix the table prefix
     * @throws IllegalArgumentException when the prefix is not a plain lower-case SQL identifier
     */
    public Tables(String prefix) {
        Objects.requireNonNull(prefix, "tablePrefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("table prefix '" + prefix + "' is not allowed: use 1-30 lower-case "
                    + "letters, digits or '_', starting with a letter (e.g. \"billing_\"); it becomes part of "
                    + "table names, so nothing else is accepted");
        }
        this.prefix = prefix;
    }

    /**
     * Returns the prefix.
     *
     * @return the prefix
     */
    public String prefix() {
        return prefix;
    }

    /**
     * Returns the jobs table.
     *
     * @return the jobs table
     */
    public String jobs() {
        return prefix + "jobs";
    }

    /**
     * Returns the partitions table.
     *
     * @return the partitions table
     */
    public String partitions() {
        return prefix + "partitions";
    }

    /**
     * Returns the output table.
     *
     * @return the output table
     */
    public String output() {
        return prefix + "output";
    }

    /**
     * Returns the schema version table.
     *
     * @return the schema version table
     */
    public String schemaVersion() {
        return prefix + "schema_version";
    }

    /**
     * Returns the LISTEN/NOTIFY channel.
     *
     * @return the LISTEN/NOTIFY channel
     */
    public String channel() {
        return prefix + "events";
    }

    /** The migrations, version {@code i + 1} at index {@code i} (rule 2: append only). */
    private List<String[]> migrations() {
        return List.<String[]>of(new String[] {"jobs, partitions with leases, output",
            "CREATE TABLE " + jobs() + " ("
                + " job_id text PRIMARY KEY,"
                + " total_items bigint NOT NULL CHECK (total_items >= 0),"
                + " partitions int NOT NULL CHECK (partitions >= 1),"
                + " state_version int NOT NULL,"
                + " created_at timestamptz NOT NULL DEFAULT now(),"
                + " started_at timestamptz,"
                + " cancel_requested_at timestamptz,"
                + " cancel_reason text,"
                + " cancel_grace_ms bigint)",
            "CREATE TABLE " + partitions() + " ("
                + " job_id text NOT NULL REFERENCES " + jobs() + " (job_id) ON DELETE CASCADE,"
                + " partition int NOT NULL,"
                + " first_item bigint NOT NULL,"
                + " end_item bigint NOT NULL,"
                + " next_item bigint NOT NULL,"
                + " output_rows bigint NOT NULL DEFAULT 0,"
                + " checkpoint text NOT NULL,"
                + " lease_owner text,"
                + " lease_epoch bigint NOT NULL DEFAULT 0,"
                + " lease_expires_at timestamptz,"
                + " updated_at timestamptz NOT NULL DEFAULT now(),"
                + " completed_at timestamptz,"
                + " PRIMARY KEY (job_id, partition))",
            "CREATE TABLE " + output() + " ("
                + " job_id text NOT NULL,"
                + " partition int NOT NULL,"
                + " item bigint NOT NULL,"
                + " bytes bytea NOT NULL,"
                + " PRIMARY KEY (job_id, partition, item))"});
    }

    /**
     * Returns the schema version this code writes and reads.
     *
     * @return the schema version this code writes and reads
     */
    public int latestVersion() {
        return migrations().size();
    }

    /**
     * Creates or migrates the schema (rule 2).
     *
     * @param c a connection in autocommit mode; left in autocommit mode
     * @return the schema version now
     * @throws SQLException when the database refuses, or its schema is newer than this code
     */
    public int migrate(Connection c) throws SQLException {
        c.setAutoCommit(false);
        boolean done = false;
        try {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, lockKey());
                lock.execute();
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + schemaVersion() + " (version int PRIMARY KEY,"
                        + " description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            }
            int current = currentVersion(c);
            List<String[]> all = migrations();
            if (current > all.size()) {
                throw new SQLException("the tables with prefix '" + prefix + "' are at schema version " + current
                        + ", newer than this cancelkit's " + all.size() + ": upgrade cancelkit on this machine "
                        + "(an older one must not write to a newer schema)");
            }
            for (int v = current + 1; v <= all.size(); v++) {
                String[] m = all.get(v - 1);
                try (Statement s = c.createStatement()) {
                    for (int i = 1; i < m.length; i++) {
                        s.execute(m[i]);
                    }
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO " + schemaVersion()
                        + " (version, description) VALUES (?, ?)")) {
                    p.setInt(1, v);
                    p.setString(2, m[0]);
                    p.executeUpdate();
                }
            }
            c.commit();
            done = true;
            return all.size();
        } finally {
            if (!done) {
                c.rollback();
            }
            c.setAutoCommit(true);
        }
    }

    /**
     * Reads the schema version, 0 when there is none.
     *
     * @param c a connection
     * @return the schema version
     * @throws SQLException when the database refuses
     */
    public int currentVersion(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            p.setString(1, schemaVersion());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                if (!r.getBoolean(1)) {
                    return 0;
                }
            }
        }
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + schemaVersion())) {
            r.next();
            return r.getInt(1);
        }
    }

    /**
     * Fails unless the schema is at this code's version.
     *
     * @param c a connection
     * @throws SQLException saying what to do when it is not
     */
    public void requireCurrent(Connection c) throws SQLException {
        int v = currentVersion(c);
        if (v != latestVersion()) {
            throw new SQLException("the job tables with prefix '" + prefix + "' are at schema version " + v
                    + ", this cancelkit needs " + latestVersion() + (v < latestVersion()
                    ? ": call JobDatabase.migrate() (or `cancelkit jobs migrate`) first"
                    : ": upgrade cancelkit on this machine"));
        }
    }

    /** A 64-bit advisory lock key of its own per prefix. */
    private long lockKey() {
        CRC32C crc = new CRC32C();
        crc.update(("cancelkit-jobs-schema:" + prefix).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return 0x636b6a0000000000L | crc.getValue();
    }
}
