package org.cancelkit.jobs.postgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.cancelkit.Cancellation;
import org.cancelkit.CancelledException;
import org.cancelkit.jdbc.Statements;
import org.cancelkit.jobs.CheckpointException.Problem;
import org.cancelkit.jobs.ItemFailedException;
import org.cancelkit.jobs.postgres.internal.PartitionCheckpoint;
import org.cancelkit.jobs.postgres.internal.PartitionCodec;
import org.cancelkit.jobs.postgres.internal.Tables;

/**
 * A resumable job over a list of items, split into partitions that worker processes on any number of
 * machines claim, checkpoint and take over from one another through PostgreSQL (J4–J6).
 *
 * {@snippet :
 * JobDatabase db = JobDatabase.of(dataSource, "billing_");
 * db.migrate();
 * ClusterJob<Long, Sum> job = ClusterJob.create(db, "squares", items, 16, Sum.class, new Sum(0),
 *         (index, item, sum, out, tx) -> {
 *             tx.update("INSERT INTO squares (n, square) VALUES (?, ?)", item, item * item);
 *             return new Sum(sum.total() + item * item);
 *         })
 *     .withOptions(ClusterOptions.defaults().withLease(Duration.ofSeconds(10)));
 * job.submit();                          // once, from anywhere: idempotent
 * WorkerReport r = job.work("worker-" + ProcessHandle.current().pid()); // on each machine
 * }
 *
 * <h2>How a worker works</h2>
 * {@link #work} claims a partition whose lease is free or expired ({@code SELECT ... FOR UPDATE SKIP
 * LOCKED}, the lease's epoch raised by one), reads and checks its checkpoint, and processes its items
 * from there in chunks: one transaction per chunk holds the items' writes, their output rows and the
 * checkpoint, and its first statement is the fence (the row's owner and epoch must still be this
 * worker's). A coordinator thread renews the lease and listens for a cancel. When the partition is
 * done the worker claims the next, and while other workers hold the rest it waits, ready to take over a
 * partition whose lease expires. It returns when every partition is complete.
 *
 * <h2>Stopping</h2>
 * <ul>
 *   <li>A cancel of the job ({@link JobDatabase#cancel}, from any process) cancels every worker's token
 *       softly with the requested grace: each commits its done items, releases its lease and throws
 *       {@link CancelledException}. {@link JobDatabase#reopen} lets workers resume.</li>
 *   <li>A drain: cancel the token {@link #work} runs under (a {@code Timeout}, a lifecycle worker's
 *       shutdown): the same, and the released partitions are taken by other workers at once.</li>
 *   <li>A killed worker ({@code kill -9}, a lost machine) rolls back nothing committed; its partition
 *       is taken over from its last checkpoint once its lease expires.</li>
 *   <li>A worker that stalled past its lease finds its commit refused ({@link LeaseLostException}),
 *       with nothing of its uncommitted work written.</li>
 * </ul>
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Every worker must have the same items in the same order, and the same partition count and
 *       state version: the job's row records them and a different worker is refused.</li>
 *   <li>Side effects outside {@code tx} and {@code out} (a message sent, a file written) happen again
 *       when a chunk is redone after a crash or a takeover: make them idempotent.</li>
 *   <li>A chunk's transaction stays open while its items run: keep chunks short
 *       ({@link org.cancelkit.jobs.JobOptions#withCheckpointEveryItems}) and well inside the lease.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe as a description; each {@link #work} call is confined to its thread.
 * Several {@link #work} calls may run at once, in one process or many, each with its own worker id.
 * Arguments must not be null.
 *
 * @param <I> the item type
 * @param <S> the state type
 */
public final class ClusterJob<I, S> {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final JobDatabase db;
    private final String id;
    private final List<? extends I> items;
    private final int partitions;
    private final Class<S> stateType;
    private final S initialState;
    private final ClusterItemProcessor<? super I, S> processor;
    private final ClusterOptions options;

    private ClusterJob(JobDatabase db, String id, List<? extends I> items, int partitions, Class<S> stateType,
            S initialState, ClusterItemProcessor<? super I, S> processor, ClusterOptions options) {
        this.db = db;
        this.id = id;
        this.items = items;
        this.partitions = partitions;
        this.stateType = stateType;
        this.initialState = initialState;
        this.processor = processor;
        this.options = options;
    }

    /**
     * Describes a job; nothing touches the database until {@link #submit} or {@link #work}.
     *
     * @param db the database
     * @param id letters, digits, {@code .}, {@code _}, {@code -}, at most 100 characters
     * @param items the items, the same in the same order on every worker (copied)
     * @param partitions into how many partitions the items are split (contiguous ranges), 1 or more
     * @param stateType the state's type, for reading it back from a checkpoint
     * @param initialState the state of every partition before its first item
     * @param processor processes one item
     * @param <I> the item type
     * @param <S> the state type
     * @return the job, with {@link ClusterOptions#defaults()}
     * @throws IllegalArgumentException when the id or the partition count is not valid
     */
    public static <I, S> ClusterJob<I, S> create(JobDatabase db, String id, List<? extends I> items, int partitions,
            Class<S> stateType, S initialState, ClusterItemProcessor<? super I, S> processor) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("job id '" + id + "' is not allowed: use 1-100 letters, digits, '.', "
                    + "'_' or '-', starting with a letter or digit");
        }
        List<? extends I> copy = List.copyOf(Objects.requireNonNull(items, "items"));
        if (partitions < 1 || partitions > Math.max(1, copy.size())) {
            throw new IllegalArgumentException("partitions must be between 1 and the item count (" + copy.size()
                    + "), was " + partitions);
        }
        Objects.requireNonNull(stateType, "stateType");
        Objects.requireNonNull(initialState, "initialState");
        Objects.requireNonNull(processor, "processor");
        if (!stateType.isInstance(initialState)) {
            throw new IllegalArgumentException("initialState is a " + initialState.getClass().getName() + ", not a "
                    + stateType.getName());
        }
        return new ClusterJob<>(db, id, copy, partitions, stateType, initialState, processor,
                ClusterOptions.defaults());
    }

    /**
     * Returns a copy with other options.
     *
     * @param clusterOptions the settings
     * @return a copy with other options
     */
    public ClusterJob<I, S> withOptions(ClusterOptions clusterOptions) {
        return new ClusterJob<>(db, id, items, partitions, stateType, initialState, processor,
                Objects.requireNonNull(clusterOptions, "clusterOptions"));
    }

    /**
     * Creates the job's rows if they do not exist (idempotent: any process may call it), and checks an
     * existing job against this description.
     *
     * @return true when this call created the job
     * @throws PartitionCheckpointException when a job of this id exists with another item count,
     *         partition count or state version, or the initial state's checkpoint is over the size
     *         limit ({@code JobOptions.maxCheckpointBytes}; then nothing is created)
     * @throws IOException when the initial state cannot be encoded
     * @throws SQLException when the database fails, or its schema is not current
     */
    public boolean submit() throws IOException, SQLException {
        Tables t = db.tables();
        try (Connection c = db.dataSource().getConnection()) {
            t.requireCurrent(c);
            boolean created = false;
            c.setAutoCommit(false);
            try {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO " + t.jobs() + " (job_id, total_items, "
                        + "partitions, state_version) VALUES (?, ?, ?, ?) ON CONFLICT (job_id) DO NOTHING")) {
                    s.setString(1, id);
                    s.setLong(2, items.size());
                    s.setInt(3, partitions);
                    s.setInt(4, options.job().stateVersion());
                    created = Statements.call(s, PreparedStatement::executeUpdate) == 1;
                }
                if (created) {
                    try (PreparedStatement s = c.prepareStatement("INSERT INTO " + t.partitions() + " (job_id, "
                            + "partition, first_item, end_item, next_item, checkpoint) VALUES (?, ?, ?, ?, ?, ?)")) {
                        for (int p = 0; p < partitions; p++) {
                            PartitionCheckpoint<S> cp = shape(p);
                            s.setString(1, id);
                            s.setInt(2, p);
                            s.setLong(3, cp.firstItem());
                            s.setLong(4, cp.endItem());
                            s.setLong(5, cp.firstItem());
                            s.setString(6, PartitionCodec.encode(t.partitions(), cp,
                                    options.job().maxCheckpointBytes()));
                            s.addBatch();
                        }
                        Statements.call(s, PreparedStatement::executeBatch);
                    }
                }
                c.commit();
            } finally {
                if (!c.getAutoCommit()) {
                    c.rollback(); // no-op after the commit
                    c.setAutoCommit(true);
                }
            }
            check(c);
            return created;
        }
    }

    /**
     * Works on the job until every partition is complete: claims partitions, processes them, takes
     * over expired ones. Runs on the calling thread under the current token (a cancel of it drains this
     * worker: done items committed, leases released).
     *
     * @param workerId this worker's id, unique among the live workers (e.g. host and pid); 1–200 chars
     * @return what this worker did
     * @throws CancelledException when the job was cancelled, or this worker's token was (after the
     *         done items were committed and the leases released)
     * @throws LeaseLostException when this worker lost a lease while it worked (it stalled): its
     *         uncommitted work was refused and not written
     * @throws ItemFailedException when an item threw (the items before it are committed)
     * @throws PartitionCheckpointException when a checkpoint or the job's shape cannot be trusted, or
     *         a checkpoint row or a state's checkpoint is over the size limit
     *         ({@code JobOptions.maxCheckpointBytes}): nothing of that chunk is committed, the
     *         partition's lease is released and it stays at its last checkpoint
     * @throws IOException when a state cannot be encoded
     * @throws SQLException when the database fails
     */
    public WorkerReport work(String workerId) throws IOException, SQLException, ItemFailedException {
        Objects.requireNonNull(workerId, "workerId");
        if (workerId.isBlank() || workerId.length() > 200) {
            throw new IllegalArgumentException("workerId must be 1-200 characters and not blank, was '" + workerId
                    + "'");
        }
        Cancellation.check();
        try (Connection c = db.dataSource().getConnection()) {
            db.tables().requireCurrent(c);
            check(c);
        }
        return new Worker<>(this, workerId).run();
    }

    /**
     * Cancels this job on every worker: {@link JobDatabase#cancel}.
     *
     * @param reason why
     * @param grace how long items may take to finish before they are interrupted
     * @return true when this call cancelled the job
     * @throws SQLException when the database fails
     */
    public boolean cancel(String reason, java.time.Duration grace) throws SQLException {
        return db.cancel(id, reason, grace);
    }

    /**
     * Reads the job's status: {@link JobDatabase#status}.
     *
     * @return the status
     * @throws SQLException when the database fails
     */
    public ClusterStatus status() throws SQLException {
        return db.status(id);
    }

    /**
     * Returns the job's id.
     *
     * @return the job's id
     */
    public String id() {
        return id;
    }

    /**
     * Returns the number of partitions.
     *
     * @return the number of partitions
     */
    public int partitions() {
        return partitions;
    }

    /**
     * Returns the options.
     *
     * @return the options
     */
    public ClusterOptions options() {
        return options;
    }

    JobDatabase db() {
        return db;
    }

    List<? extends I> items() {
        return items;
    }

    Class<S> stateType() {
        return stateType;
    }

    ClusterItemProcessor<? super I, S> processor() {
        return processor;
    }

    /** Partition {@code p} before its first item: items {@code p * n / P .. (p + 1) * n / P - 1}. */
    PartitionCheckpoint<S> shape(int p) {
        long n = items.size();
        long first = p * n / partitions;
        long end = (p + 1) * n / partitions;
        return new PartitionCheckpoint<>(id, p, partitions, options.job().stateVersion(), n, first, end, first, 0,
                initialState);
    }

    /** The job's row must describe this job. */
    private void check(Connection c) throws SQLException, PartitionCheckpointException {
        Tables t = db.tables();
        try (PreparedStatement s = c.prepareStatement("SELECT total_items, partitions, state_version FROM " + t.jobs()
                + " WHERE job_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = Statements.call(s, PreparedStatement::executeQuery)) {
                if (!r.next()) {
                    throw new IllegalStateException("job '" + id + "' is not in table " + t.jobs() + ": call "
                            + "submit() first (from any process; it is idempotent)");
                }
                long total = r.getLong(1);
                int parts = r.getInt(2);
                int version = r.getInt(3);
                if (version != options.job().stateVersion()) {
                    throw new PartitionCheckpointException(t.jobs(), id, -1, Problem.WRONG_STATE_VERSION, "the job "
                            + "was submitted with state version " + version + ", this worker's is "
                            + options.job().stateVersion(), "Run the workers with the code of state version "
                            + version + ", or delete the job and submit it again", null);
                }
                if (total != items.size() || parts != partitions) {
                    throw new PartitionCheckpointException(t.jobs(), id, -1, Problem.WRONG_ITEM_COUNT, "the job was "
                            + "submitted with " + total + " items in " + parts + " partitions, this worker has "
                            + items.size() + " items in " + partitions, "Run every worker with the same items "
                            + "and partition count, or delete the job and submit it again", null);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "ClusterJob[" + id + ", " + items.size() + " items in " + partitions + " partitions, " + db + "]";
    }
}
