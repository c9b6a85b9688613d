package org.cancelkit.jobs.postgres.internal;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.cancelkit.Cancellation;
import org.cancelkit.CancelledException;
import org.cancelkit.MonotonicClock;
import org.cancelkit.jdbc.SqlTransaction;
import org.cancelkit.jdbc.Statements;
import org.cancelkit.jobs.ItemFailedException;
import org.cancelkit.jobs.Progress;
import org.cancelkit.jobs.postgres.ClusterItemProcessor;
import org.cancelkit.jobs.postgres.ClusterOptions;
import org.cancelkit.jobs.postgres.LeaseLostException;

/**
 * Runs one claimed partition to its end, or until it is stopped, in chunks: one transaction per chunk
 * holds the items' writes, their output rows and the checkpoint that counts them.
 *
 * <h2>Rules (cited by number below)</h2>
 * <ol>
 *   <li>The partition row is the truth: items {@code first_item .. next_item - 1} are done, and their
 *       writes and output rows were committed in the same transactions as the checkpoints that counted
 *       them (J1, J4). Nothing else is ever committed, so a killed worker leaves nothing to cut off.</li>
 *   <li>The fence: the commit's first statement updates the row only where {@code lease_owner},
 *       {@code lease_epoch} and {@code next_item} are still this worker's. That statement locks the row
 *       until the commit, so no claim can pass in between; under READ COMMITTED it re-reads the row
 *       after any lock wait. Zero rows means the lease was taken: the transaction rolls back, with every
 *       write of the chunk, and {@link LeaseLostException} is thrown (J5).</li>
 *   <li>An item's writes are undone alone when it fails or is cancelled ({@link ItemSavepoints}); the
 *       items before it commit, shielded from the cancellation and bounded by the cleanup budget (C6).</li>
 *   <li>The chunk's connection carries {@code idle_in_transaction_session_timeout}, so a frozen worker's
 *       open transaction (and its row locks) ends on the server; it is reset before the connection goes
 *       back to its pool.</li>
 * </ol>
 *
 * <p>Confined to the worker's thread.
 *
 * @param <I> the item type
 * @param <S> the state type
 */
public final class PartitionRunner<I, S> {
    private final DataSource dataSource;
    private final Tables tables;
    private final List<? extends I> items;
    private final ClusterItemProcessor<? super I, S> processor;
    private final ClusterOptions options;
    private final MonotonicClock clock;

    /**
     * Figures of one partition's run.
     *
     * @param processed items processed and committed
     * @param checkpoints chunk commits
     */
    public record Outcome(long processed, int checkpoints) {}

    /**
     * Prepares the runner of one worker.
     *
     * @param dataSource where connections come from
     * @param tables the tables
     * @param items the job's items
     * @param processor the body
     * @param options the settings
     */
    public PartitionRunner(DataSource dataSource, Tables tables, List<? extends I> items,
            ClusterItemProcessor<? super I, S> processor, ClusterOptions options) {
        this.dataSource = dataSource;
        this.tables = tables;
        this.items = items;
        this.processor = processor;
        this.options = options;
        this.clock = options.job().clock() != null ? options.job().clock() : MonotonicClock.current();
    }

    /**
     * Runs the partition from {@code start} to its end.
     *
     * @param lease the lease held
     * @param start the checkpoint read under the claim
     * @param coordinator tells whether the lease was lost
     * @return what was done
     * @throws LeaseLostException when the fence refused a commit (rule 2)
     * @throws ItemFailedException when an item threw (the items before it are committed)
     * @throws CancelledException when the partition was cancelled (the items before are committed)
     * @throws IOException when the state cannot be encoded ({@code PartitionCheckpointException} with
     *         {@code TOO_LARGE} when its checkpoint is over the size limit); nothing of the chunk commits
     * @throws SQLException when the database fails
     */
    public Outcome run(Lease lease, PartitionCheckpoint<S> start, Coordinator coordinator)
            throws IOException, SQLException, ItemFailedException {
        long begun = clock.nanoTime();
        long processed = 0;
        int checkpoints = 0;
        PartitionCheckpoint<S> cp = start;
        try (Connection conn = dataSource.getConnection()) {
            stalledTimeout(conn, options.stalledTransactionTimeout().toMillis()); // rule 4
            Throwable primary = null;
            try {
                ItemSavepoints sp = new ItemSavepoints(conn, options.job().cleanupBudget());
                while (!cp.isComplete()) {
                    PartitionCheckpoint<S> next = chunk(sp, lease, cp, coordinator);
                    processed += next.nextItem() - cp.nextItem();
                    checkpoints++;
                    cp = next;
                    emit(cp.isComplete() ? Progress.Event.COMPLETED : Progress.Event.CHECKPOINT, start, cp, begun);
                }
            } catch (Throwable t) {
                primary = t;
                throw t;
            } finally {
                try {
                    Cancellation.shielded(options.job().cleanupBudget(), () -> stalledTimeout(conn, 0));
                } catch (SQLException | RuntimeException e) {
                    if (primary == null) {
                        throw e;
                    }
                    primary.addSuppressed(e); // never hides what stopped the run
                }
            }
        }
        return new Outcome(processed, checkpoints);
    }

    private PartitionCheckpoint<S> chunk(ItemSavepoints sp, Lease lease, PartitionCheckpoint<S> cp,
            Coordinator coordinator) throws IOException, SQLException, ItemFailedException {
        try (SqlTransaction tx = SqlTransaction.begin(sp.connection(), options.jdbc())) {
            sp.newTransaction();
            List<Object[]> outputs = new ArrayList<>();
            long next = cp.nextItem();
            S state = cp.state();
            long failed = -1;
            Throwable stop = null;
            long started = clock.nanoTime();
            long every = saturatedNanos(options.job().checkpointEvery());
            int count = 0;
            try {
                while (next < cp.endItem() && count < options.job().checkpointEveryItems()
                        && (count == 0 || clock.nanoTime() - started < every)) {
                    Cancellation.check();
                    sp.beginItem();
                    ItemBuffer out = new ItemBuffer();
                    failed = next;
                    S after;
                    try {
                        after = processor.process(next, items.get((int) next), state, out, tx);
                    } finally {
                        out.end();
                    }
                    if (after == null) {
                        throw new NullPointerException("the processor returned a null state; return the state after "
                                + "the item (the same object when nothing changed)");
                    }
                    failed = -1;
                    sp.endItem();
                    byte[] bytes = out.toByteArray();
                    if (bytes.length > 0) {
                        outputs.add(new Object[] {next, bytes});
                    }
                    state = after;
                    next++;
                    count++;
                }
            } catch (Throwable t) {
                stop = t;
            }
            PartitionCheckpoint<S> target = cp.advance(next, cp.outputRows() + outputs.size(), state);
            if (stop == null) {
                try {
                    Cancellation.shielded(options.job().cleanupBudget(), () -> commit(tx, sp, lease, cp, target,
                            outputs));
                } catch (Exception e) {
                    throw rethrow(e);
                }
                return target;
            }
            throw rethrow(stopped(stop, failed, tx, sp, lease, cp, target, outputs, coordinator));
        }
    }

    /** Rule 3: the done items commit, shielded; then what stopped the chunk is thrown as the caller sees it. */
    private Exception stopped(Throwable stop, long failed, SqlTransaction tx, ItemSavepoints sp, Lease lease,
            PartitionCheckpoint<S> cp, PartitionCheckpoint<S> target, List<Object[]> outputs, Coordinator coordinator)
            throws LeaseLostException {
        boolean[] committed = {false};
        try {
            Cancellation.shielded(options.job().cleanupBudget(), () -> {
                sp.rollbackItem();
                if (target.nextItem() > cp.nextItem()) {
                    commit(tx, sp, lease, cp, target, outputs);
                    committed[0] = true;
                }
            });
        } catch (LeaseLostException lost) {
            lost.addSuppressed(stop);
            throw lost;
        } catch (Throwable e) {
            stop.addSuppressed(e); // the previous checkpoint stands (rule 1)
        }
        if (coordinator.leaseLost()) {
            // committed: the fence let it through, so the lease was still this worker's then (the database was
            // unreachable for a lease, or the fence is off); its items are checkpointed, nothing else was written
            LeaseLostException lost = new LeaseLostException(committed[0] ? "job '" + lease.jobId() + "', partition "
                    + lease.partition() + ": this worker could not keep its lease (worker '" + lease.owner() + "', epoch "
                    + lease.epoch() + ") and stopped, after committing its done items " + cp.nextItem() + ".."
                    + (target.nextItem() - 1) + "; the partition continues from that checkpoint elsewhere"
                    : lostMessage(lease, cp.nextItem(), target.nextItem(), "the lease could not be kept"),
                    lease.partition());
            lost.addSuppressed(stop);
            throw lost;
        }
        if (stop instanceof CancelledException c && Cancellation.isCancelled()) {
            return c;
        }
        if (failed >= 0 && !Cancellation.isCancelled()) {
            return new ItemFailedException(lease.jobId(), failed, stop);
        }
        if (Cancellation.isCancelled()) { // an interrupt of the cancellation surfaced as another exception
            return new CancelledException(Cancellation.current().reason().orElseThrow(), stop);
        }
        if (stop instanceof Error error) {
            throw error; // after the done items were saved, as any other stop
        }
        return stop instanceof Exception e ? e : new IllegalStateException("partition stopped", stop);
    }

    /** Throws what a run may throw as itself; anything else (never expected) wrapped. */
    private static RuntimeException rethrow(Exception e) throws IOException, SQLException, ItemFailedException {
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof SQLException sql) {
            throw sql;
        }
        if (e instanceof ItemFailedException f) {
            throw f;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
        throw new IllegalStateException("partition stopped", e);
    }

    /** Rule 2: the fence first, then the output rows, then the commit. */
    private void commit(SqlTransaction tx, ItemSavepoints sp, Lease lease, PartitionCheckpoint<S> from,
            PartitionCheckpoint<S> target, List<Object[]> outputs) throws IOException, SQLException {
        sp.requireIntact(); // a failed savepoint statement: the server's savepoints are unknown, nothing commits
        // over the size limit: PartitionCheckpointException (TOO_LARGE) before any statement, so nothing of the
        // chunk commits; the transaction rolls back when it closes (rule 1)
        String doc = PartitionCodec.encode(tables.partitions(), target, options.job().maxCheckpointBytes());
        boolean complete = target.isComplete();
        String fence = Seams.fencing ? " AND lease_owner = ? AND lease_epoch = ? AND next_item = ?" : "";
        List<Object> params = new ArrayList<>(List.of(target.nextItem(), target.outputRows(), doc, complete,
                options.lease().toMillis(), complete, lease.jobId(), lease.partition()));
        if (Seams.fencing) {
            params.addAll(List.of(lease.owner(), lease.epoch(), from.nextItem()));
        }
        int updated = tx.update("UPDATE " + tables.partitions() + " SET next_item = ?, output_rows = ?, checkpoint = ?,"
                + " updated_at = now(), lease_expires_at = CASE WHEN ? THEN NULL ELSE now() + ? * interval "
                + "'1 millisecond' END, completed_at = CASE WHEN ? THEN now() END WHERE job_id = ? AND partition = ?"
                + fence, params.toArray());
        if (updated != 1) {
            throw new LeaseLostException(lostMessage(lease, from.nextItem(), target.nextItem(),
                    "its commit was refused"), lease.partition());
        }
        if (!outputs.isEmpty()) {
            tx.call("INSERT INTO " + tables.output() + " (job_id, partition, item, bytes) VALUES (?, ?, ?, ?)", ps -> {
                for (Object[] o : outputs) {
                    ps.setString(1, lease.jobId());
                    ps.setInt(2, lease.partition());
                    ps.setLong(3, (Long) o[0]);
                    ps.setBytes(4, (byte[]) o[1]);
                    ps.addBatch();
                }
                return ps.executeBatch();
            });
        }
        tx.commit();
    }

    private String lostMessage(Lease lease, long from, long to, String what) {
        String holder;
        try { // shielded: the partition's token is usually cancelled by now, and the message must still say who
            holder = Cancellation.shielded(options.job().cleanupBudget(), () -> {
                try (Connection c = dataSource.getConnection()) {
                    return Claims.holder(c, tables, lease.jobId(), lease.partition());
                }
            });
        } catch (SQLException | RuntimeException e) {
            holder = "unknown (" + e.getMessage() + ")";
        }
        return "job '" + lease.jobId() + "', partition " + lease.partition() + ": " + what + ": this worker's lease "
                + "(worker '" + lease.owner() + "', epoch " + lease.epoch() + ") is no longer valid; the partition is "
                + "now held by " + holder + ". Nothing of this worker's uncommitted work" + (to > from ? " (items "
                + from + ".." + (to - 1) + ")" : "") + " was written: its transaction rolled back. This worker "
                + "stalled or was cut off for longer than its lease (" + options.lease() + "); the partition "
                + "continues from its last checkpoint elsewhere";
    }

    private void emit(Progress.Event event, PartitionCheckpoint<S> start, PartitionCheckpoint<S> now, long begun) {
        long total = now.endItem() - now.firstItem();
        long done = now.nextItem() - now.firstItem();
        long thisRun = now.nextItem() - start.nextItem();
        Duration elapsed = Duration.ofNanos(Math.max(0, clock.nanoTime() - begun));
        double rate = thisRun == 0 || elapsed.isZero() ? 0 : thisRun * 1e9 / elapsed.toNanos();
        Duration eta = event == Progress.Event.COMPLETED ? Duration.ZERO
                : thisRun == 0 ? null : Duration.ofNanos((long) ((total - done) * (double) elapsed.toNanos() / thisRun));
        options.job().listener().onProgress(new Progress(event, done, total, thisRun, elapsed, rate, eta));
    }

    private static void stalledTimeout(Connection c, long millis) throws SQLException {
        try (Statement s = c.createStatement()) {
            // a number: nothing to escape; cancelled on the server, never by an interrupt (D2)
            Statements.call(s, st -> st.execute("SET idle_in_transaction_session_timeout = " + millis));
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
