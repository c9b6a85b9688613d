package org.cancelkit.jobs.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.cancelkit.jdbc.Statements;
import org.jspecify.annotations.Nullable;

/**
 * The lease SQL: claim, renew, release, and the job's cancel flag.
 *
 * <h2>Why {@code FOR UPDATE SKIP LOCKED} and leases in rows, not advisory locks</h2>
 * An advisory lock lives as long as its session: a worker frozen by SIGSTOP, a GC pause or a network
 * partition keeps its TCP connection, so the server keeps the lock for ever and nobody takes the
 * partition over; and a worker whose session died and reconnected cannot tell that it lost the lock in
 * between. A lease row has an expiry on the server's clock (no clock skew between machines) and an
 * epoch that every claim raises: a worker that wakes up after its lease was taken finds another epoch
 * in the row and its commit is refused (the fence, checked in the commit's own transaction).
 * {@code SKIP LOCKED} lets concurrent claimers pass over a row that another transaction is claiming or
 * committing, instead of queueing behind it.
 *
 * <p>All times ({@code now()}) are the server's. Every method runs its statements through
 * {@link Statements#call} (cancelled on the server, D2). Stateless.
 */
public final class Claims {
    private Claims() {}

    /**
     * A claimed partition: the lease and the row's checkpoint, read under the claim's row lock.
     *
     * @param lease the lease
     * @param checkpoint the row's checkpoint text, or null when it is over the size limit (not fetched)
     * @param checkpointBytes the checkpoint's size in the row, in bytes ({@code octet_length})
     * @param nextItem the row's next item
     */
    public record Claimed(Lease lease, @Nullable String checkpoint, long checkpointBytes, long nextItem) {}

    /**
     * Claims one partition of the job that is not complete and whose lease is free or expired, in one
     * transaction: the row is locked ({@code SKIP LOCKED}), its epoch raised, its lease set to this
     * worker for {@code lease}.
     *
     * @param c a connection in autocommit mode
     * @param t the tables
     * @param jobId the job
     * @param owner this worker
     * @param lease how long the lease lasts unless renewed
     * @param maxCheckpointBytes the largest checkpoint fetched; a larger one is claimed without its text
     * @return the claim, or null when no partition can be claimed now
     * @throws SQLException when the database fails
     */
    public static @Nullable Claimed claim(Connection c, Tables t, String jobId, String owner, Duration lease,
            int maxCheckpointBytes) throws SQLException {
        c.setAutoCommit(false);
        boolean committed = false;
        try {
            Claimed claimed = null;
            String free = Seams.leaseCheck ? " AND (lease_owner IS NULL OR lease_expires_at < now())" : "";
            // The server measures the checkpoint and sends its text only within the limit: a row over it (damaged
            // or hostile) never reaches this JVM's memory, and octet_length of a stored (TOASTed) text reads its
            // size from the header without decompressing it. Bytes in the database's encoding: UTF-8 bytes, as
            // the codec measures them, in a UTF8 database; in any other the codec measures the text again.
            try (PreparedStatement s = c.prepareStatement("SELECT partition, lease_owner, CASE WHEN "
                    + "octet_length(checkpoint) <= ? THEN checkpoint END, octet_length(checkpoint), next_item FROM "
                    + t.partitions() + " WHERE job_id = ? AND completed_at IS NULL" + free
                    + " ORDER BY partition LIMIT 1 FOR UPDATE SKIP LOCKED")) {
                s.setInt(1, maxCheckpointBytes);
                s.setString(2, jobId);
                try (ResultSet r = Statements.call(s, PreparedStatement::executeQuery)) {
                    if (r.next()) {
                        int partition = r.getInt(1);
                        String previous = r.getString(2);
                        String checkpoint = r.getString(3);
                        long bytes = r.getLong(4);
                        long next = r.getLong(5);
                        long epoch = take(c, t, jobId, partition, owner, lease);
                        claimed = new Claimed(new Lease(jobId, partition, owner, epoch, previous), checkpoint, bytes,
                                next);
                    }
                }
            }
            if (claimed != null) {
                try (PreparedStatement s = c.prepareStatement("UPDATE " + t.jobs()
                        + " SET started_at = now() WHERE job_id = ? AND started_at IS NULL")) {
                    s.setString(1, jobId);
                    Statements.call(s, PreparedStatement::executeUpdate);
                }
            }
            c.commit();
            committed = true;
            return claimed;
        } finally {
            if (!committed) {
                c.rollback();
            }
            c.setAutoCommit(true);
        }
    }

    private static long take(Connection c, Tables t, String jobId, int partition, String owner, Duration lease)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + t.partitions() + " SET lease_owner = ?, "
                + "lease_epoch = lease_epoch + 1, lease_expires_at = now() + ? * interval '1 millisecond', "
                + "updated_at = now() WHERE job_id = ? AND partition = ? RETURNING lease_epoch")) {
            s.setString(1, owner);
            s.setLong(2, lease.toMillis());
            s.setString(3, jobId);
            s.setInt(4, partition);
            try (ResultSet r = Statements.call(s, PreparedStatement::executeQuery)) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /**
     * Extends a lease that is still this worker's.
     *
     * @param c a connection in autocommit mode
     * @param t the tables
     * @param lease the lease
     * @param length the new length from now
     * @return false when the lease is no longer this worker's (taken over, or the partition completed)
     * @throws SQLException when the database fails
     */
    public static boolean renew(Connection c, Tables t, Lease lease, Duration length) throws SQLException {
        if (!Seams.leaseCheck) {
            return true; // negative control: a worker never learns that its partition was taken
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE " + t.partitions() + " SET lease_expires_at = now() + "
                + "? * interval '1 millisecond' WHERE job_id = ? AND partition = ? AND lease_owner = ? "
                + "AND lease_epoch = ? AND completed_at IS NULL")) {
            s.setLong(1, length.toMillis());
            bindLease(s, 2, lease);
            return Statements.call(s, PreparedStatement::executeUpdate) == 1;
        }
    }

    /**
     * Gives a lease back, so another worker takes the partition at once, and tells the waiting workers.
     *
     * @param c a connection in autocommit mode
     * @param t the tables
     * @param lease the lease
     * @throws SQLException when the database fails
     */
    public static void release(Connection c, Tables t, Lease lease) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("WITH r AS (UPDATE " + t.partitions() + " SET lease_owner = NULL, "
                + "lease_expires_at = NULL, updated_at = now() WHERE job_id = ? AND partition = ? AND lease_owner = ? "
                + "AND lease_epoch = ? RETURNING job_id) SELECT pg_notify(?, 'released ' || job_id) FROM r")) {
            bindLease(s, 1, lease);
            s.setString(5, t.channel());
            Statements.call(s, PreparedStatement::execute);
        }
    }

    /**
     * Reads who holds a partition now, for messages.
     *
     * @param c a connection
     * @param t the tables
     * @param jobId the job
     * @param partition the partition
     * @return "worker 'w' (epoch n)", or what is known
     * @throws SQLException when the database fails
     */
    public static String holder(Connection c, Tables t, String jobId, int partition) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT lease_owner, lease_epoch, completed_at IS NOT NULL FROM "
                + t.partitions() + " WHERE job_id = ? AND partition = ?")) {
            s.setString(1, jobId);
            s.setInt(2, partition);
            try (ResultSet r = Statements.call(s, PreparedStatement::executeQuery)) {
                if (!r.next()) {
                    return "nobody (the job was deleted)";
                }
                return (r.getString(1) == null ? "no worker" : "worker '" + r.getString(1) + "'") + " (epoch "
                        + r.getLong(2) + (r.getBoolean(3) ? ", partition completed" : "") + ")";
            }
        }
    }

    /**
     * A cancel request read from the jobs row.
     *
     * @param reason why
     * @param grace the grace before items are interrupted
     */
    public record CancelRequest(String reason, Duration grace) {}

    /**
     * Reads the job's cancel request.
     *
     * @param c a connection
     * @param t the tables
     * @param jobId the job
     * @return the request, or null when the job is not cancelled
     * @throws SQLException when the database fails
     */
    public static @Nullable CancelRequest cancelRequest(Connection c, Tables t, String jobId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT cancel_reason, cancel_grace_ms FROM " + t.jobs()
                + " WHERE job_id = ? AND cancel_requested_at IS NOT NULL")) {
            s.setString(1, jobId);
            try (ResultSet r = Statements.call(s, PreparedStatement::executeQuery)) {
                return r.next() ? new CancelRequest(String.valueOf(r.getString(1)), Duration.ofMillis(r.getLong(2)))
                        : null;
            }
        }
    }

    private static void bindLease(PreparedStatement s, int from, Lease lease) throws SQLException {
        s.setString(from, lease.jobId());
        s.setInt(from + 1, lease.partition());
        s.setString(from + 2, lease.owner());
        s.setLong(from + 3, lease.epoch());
    }
}
