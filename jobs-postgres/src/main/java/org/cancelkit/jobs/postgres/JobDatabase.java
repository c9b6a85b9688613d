package org.cancelkit.jobs.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.cancelkit.jdbc.Statements;
import org.cancelkit.jobs.postgres.internal.Tables;

/**
 * The PostgreSQL database where cluster jobs live: its tables (named with a prefix, so that several
 * applications share one database), their schema and its migrations, and the operations on a job from
 * any process: {@link #cancel}, {@link #reopen}, {@link #status}, {@link #delete}.
 *
 * {@snippet :
 * JobDatabase db = JobDatabase.of(dataSource, "billing_");    // tables billing_jobs, billing_partitions, ...
 * db.migrate();                                              // creates or upgrades them; idempotent
 * db.cancel("invoices-2026-01", "operator request", Duration.ofSeconds(10));
 * System.out.println(db.status("invoices-2026-01").render(30));
 * }
 *
 * <h2>Tables and schema</h2>
 * With prefix {@code p}: {@code p_jobs} (one row per job: its shape and its cancel request),
 * {@code p_partitions} (one row per partition: range, checkpoint, lease owner, epoch and expiry),
 * {@code p_output} (the items' {@link org.cancelkit.jobs.ItemOutput}, one row per item) and
 * {@code p_schema_version} (one row per applied migration). {@link #migrate()} applies the missing
 * migrations in order, each in one transaction with its version row, under an advisory lock, so
 * concurrent calls are safe and a second call changes nothing; a schema newer than this code is
 * refused. Workers refuse to run on a schema that is not current. Notifications go on the channel
 * {@code p_events}.
 *
 * <p>The prefix is validated: 1–30 lower-case letters, digits or {@code _}, starting with a letter. It
 * is the only text that becomes part of SQL; every value is a bind parameter.
 *
 * <p>Immutable and thread-safe; every method takes a connection from the data source for its own use.
 * Statements are cancelled on the server when the current token is cancelled (D2).
 */
public final class JobDatabase {
    /** The prefix of {@link #of(DataSource)}. */
    public static final String DEFAULT_PREFIX = "cancelkit_";

    private final DataSource dataSource;
    private final Tables tables;

    private JobDatabase(DataSource dataSource, Tables tables) {
        this.dataSource = dataSource;
        this.tables = tables;
    }

    /**
     * The job tables with the default prefix, {@value #DEFAULT_PREFIX}.
     *
     * @param dataSource where connections come from (autocommit on)
     * @return the database
     */
    public static JobDatabase of(DataSource dataSource) {
        return of(dataSource, DEFAULT_PREFIX);
    }

    /**
     * The job tables with a prefix of their own.
     *
     * @param dataSource where connections come from (autocommit on)
     * @param tablePrefix 1–30 lower-case letters, digits or {@code _}, starting with a letter
     * @return the database
     * @throws IllegalArgumentException when the prefix is not allowed
     */
    public static JobDatabase of(DataSource dataSource, String tablePrefix) {
        return new JobDatabase(Objects.requireNonNull(dataSource, "dataSource"), new Tables(tablePrefix));
    }

    /**
     * Creates the tables, or migrates them to this code's schema version; idempotent and safe to call
     * from several processes at once.
     *
     * @return the schema version now
     * @throws SQLException when the database refuses (or its schema is newer than this code)
     */
    public int migrate() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return tables.migrate(c);
        }
    }

    /**
     * Returns the schema version found in the database, 0 when there are no tables yet.
     *
     * @return the schema version
     * @throws SQLException when the database fails
     */
    public int schemaVersion() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return tables.currentVersion(c);
        }
    }

    /**
     * Returns the table prefix.
     *
     * @return the table prefix
     */
    public String tablePrefix() {
        return tables.prefix();
    }

    /**
     * Cancels a job on every worker (J6): records the request and notifies the workers in the same
     * transaction. Each worker's token is cancelled softly with {@code grace}, then hard; each worker
     * commits its done items and releases its partition. Workers that start later stop at once, until
     * {@link #reopen}.
     *
     * @param jobId the job
     * @param reason why, shown to the workers and in the status
     * @param grace how long the workers' items may take to finish before they are interrupted
     * @return true when this call cancelled the job, false when it was already cancelled
     * @throws IllegalArgumentException when there is no such job
     * @throws SQLException when the database fails, or its tables are not at this cancelkit's schema
     *     version (the message says to migrate, or to upgrade cancelkit)
     */
    public boolean cancel(String jobId, String reason, Duration grace) throws SQLException {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(reason, "reason");
        if (Objects.requireNonNull(grace, "grace").isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, was " + grace);
        }
        requireCurrentSchema();
        requireJob(jobId);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("WITH u AS (UPDATE "
                + tables.jobs() + " SET cancel_requested_at = now(), cancel_reason = ?, cancel_grace_ms = ? WHERE "
                + "job_id = ? AND cancel_requested_at IS NULL RETURNING job_id) SELECT pg_notify(?, 'cancel ' || "
                + "job_id) FROM u")) {
            s.setString(1, reason);
            s.setLong(2, grace.toMillis());
            s.setString(3, jobId);
            s.setString(4, tables.channel());
            try (ResultSet r = Statements.call(s, PreparedStatement::executeQuery)) {
                return r.next();
            }
        }
    }

    /**
     * Clears a job's cancel request, so that workers can resume it from its checkpoints.
     *
     * @param jobId the job
     * @return true when the job was cancelled
     * @throws IllegalArgumentException when there is no such job
     * @throws SQLException when the database fails, or its tables are not at this cancelkit's schema
     *     version
     */
    public boolean reopen(String jobId) throws SQLException {
        requireCurrentSchema();
        requireJob(jobId);
        return update("UPDATE " + tables.jobs() + " SET cancel_requested_at = NULL, cancel_reason = NULL, "
                + "cancel_grace_ms = NULL WHERE job_id = ? AND cancel_requested_at IS NOT NULL", jobId) == 1;
    }

    /**
     * Deletes a job, its partitions and its output rows.
     *
     * @param jobId the job
     * @return true when there was such a job
     * @throws SQLException when the database fails, or its tables are not at this cancelkit's schema
     *     version
     */
    public boolean delete(String jobId) throws SQLException {
        Objects.requireNonNull(jobId, "jobId");
        requireCurrentSchema();
        update("DELETE FROM " + tables.output() + " WHERE job_id = ?", jobId);
        return update("DELETE FROM " + tables.jobs() + " WHERE job_id = ?", jobId) == 1;
    }

    /** The tables are at the schema this cancelkit writes: refuses older (migrate) and newer (upgrade). */
    private void requireCurrentSchema() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            tables.requireCurrent(c);
        }
    }

    /**
     * Reads the whole job's progress and its leases.
     *
     * @param jobId the job
     * @return the status
     * @throws IllegalArgumentException when there is no such job
     * @throws SQLException when the database fails
     */
    public ClusterStatus status(String jobId) throws SQLException {
        Objects.requireNonNull(jobId, "jobId");
        try (Connection c = dataSource.getConnection()) {
            tables.requireCurrent(c);
            long total;
            String cancel;
            Instant cancelAt;
            long elapsedMicros;
            // elapsed: from the first claim to now, or to the last partition's completion once all are complete
            try (PreparedStatement s = c.prepareStatement("SELECT total_items, cancel_requested_at, "
                    + "cancel_reason, coalesce(extract(epoch FROM (SELECT CASE WHEN bool_and(completed_at IS NOT NULL) "
                    + "THEN max(completed_at) ELSE now() END FROM " + tables.partitions() + " p WHERE p.job_id = "
                    + "j.job_id) - started_at) * 1000000, 0)::bigint FROM " + tables.jobs() + " j WHERE job_id = ?")) {
                s.setString(1, jobId);
                try (ResultSet r = Statements.call(s, PreparedStatement::executeQuery)) {
                    if (!r.next()) {
                        throw noSuchJob(jobId);
                    }
                    total = r.getLong(1);
                    OffsetDateTime at = r.getObject(2, OffsetDateTime.class);
                    cancelAt = at == null ? null : at.toInstant();
                    cancel = at == null ? null : String.valueOf(r.getString(3));
                    elapsedMicros = Math.max(0, r.getLong(4));
                }
            }
            List<ClusterStatus.PartitionStatus> parts = new ArrayList<>();
            long done = 0;
            try (PreparedStatement s = c.prepareStatement("SELECT partition, first_item, end_item, next_item, "
                    + "lease_owner, lease_epoch, (extract(epoch FROM lease_expires_at - now()) * 1000)::bigint, "
                    + "completed_at IS NOT NULL FROM " + tables.partitions() + " WHERE job_id = ? ORDER BY partition")) {
                s.setString(1, jobId);
                try (ResultSet r = Statements.call(s, PreparedStatement::executeQuery)) {
                    while (r.next()) {
                        long remaining = r.getLong(7);
                        Duration lease = r.wasNull() ? null : Duration.ofMillis(remaining);
                        ClusterStatus.PartitionStatus p = new ClusterStatus.PartitionStatus(r.getInt(1), r.getLong(2),
                                r.getLong(3), r.getLong(4), r.getString(5), r.getLong(6), lease, r.getBoolean(8));
                        done += p.nextItem() - p.firstItem();
                        parts.add(p);
                    }
                }
            }
            return new ClusterStatus(jobId, total, done, Duration.ofNanos(elapsedMicros * 1000), cancel, cancelAt,
                    parts);
        }
    }

    DataSource dataSource() {
        return dataSource;
    }

    Tables tables() {
        return tables;
    }

    private void requireJob(String jobId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT 1 FROM "
                + tables.jobs() + " WHERE job_id = ?")) {
            s.setString(1, jobId);
            try (ResultSet r = Statements.call(s, PreparedStatement::executeQuery)) {
                if (!r.next()) {
                    throw noSuchJob(jobId);
                }
            }
        }
    }

    private IllegalArgumentException noSuchJob(String jobId) {
        return new IllegalArgumentException("there is no job '" + jobId + "' in table " + tables.jobs()
                + ": check the id and the table prefix ('" + tables.prefix() + "'), or submit the job first");
    }

    private int update(String sql, String jobId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, jobId);
            return Statements.call(s, PreparedStatement::executeUpdate);
        }
    }

    @Override
    public String toString() {
        return "JobDatabase[prefix " + tables.prefix() + "]";
    }
}
