package org.cancelkit.jobs.postgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.cancelkit.CancelReason;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.jdbc.Statements;
import org.cancelkit.jobs.CheckpointException.Problem;
import org.cancelkit.jobs.ItemFailedException;
import org.cancelkit.jobs.postgres.internal.Claims;
import org.cancelkit.jobs.postgres.internal.Coordinator;
import org.cancelkit.jobs.postgres.internal.PartitionCheckpoint;
import org.cancelkit.jobs.postgres.internal.PartitionCodec;
import org.cancelkit.jobs.postgres.internal.PartitionRunner;
import org.cancelkit.jobs.postgres.internal.Tables;

/**
 * One {@link ClusterJob#work} call: claim, run, release, until every partition is complete.
 *
 * <p>Token tree: the caller's current token → the worker's source (cancelled softly by the coordinator
 * when the job is cancelled) → one source per claimed partition (cancelled hard when its lease is
 * lost). A partition's lease is released on every exit except a completed partition (its commit cleared
 * it) and a lost lease (it is not this worker's any more).
 *
 * <p>Confined to the calling thread.
 */
final class Worker<I, S> {
    private final ClusterJob<I, S> job;
    private final String workerId;
    private final Tables tables;
    private int completed;
    private int takeovers;
    private long processed;
    private int checkpoints;

    Worker(ClusterJob<I, S> job, String workerId) {
        this.job = job;
        this.workerId = workerId;
        this.tables = job.db().tables();
    }

    WorkerReport run() throws IOException, SQLException, ItemFailedException {
        ClusterOptions o = job.options();
        try (CancellationSource worker = Cancellation.current().child();
                Coordinator coordinator = new Coordinator(job.db().dataSource(), tables, job.id(), worker, o.lease(),
                        o.pollEvery())) {
            try {
                return worker.call(() -> loop(worker, coordinator));
            } catch (IOException | SQLException | ItemFailedException | RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("worker '" + workerId + "' failed", e);
            }
        }
    }

    private WorkerReport loop(CancellationSource worker, Coordinator coordinator) throws Exception {
        PartitionRunner<I, S> runner = new PartitionRunner<>(job.db().dataSource(), tables, job.items(),
                job.processor(), job.options());
        while (true) {
            Cancellation.check();
            Claims.Claimed claim;
            try (Connection c = job.db().dataSource().getConnection()) {
                // J6: a cancel committed before this claim stops the worker here, whether or not the coordinator
                // has read it yet (it reads concurrently, and a worker that starts later must not claim)
                Claims.CancelRequest cancelled = Claims.cancelRequest(c, tables, job.id());
                if (cancelled != null) {
                    worker.cancel(CancelReason.requested("job '" + job.id() + "' was cancelled: "
                            + cancelled.reason()), cancelled.grace());
                    Cancellation.check(); // a soft cancel is seen at once by checks (C8)
                }
                claim = Claims.claim(c, tables, job.id(), workerId, job.options().lease(),
                        job.options().job().maxCheckpointBytes());
            }
            if (claim == null) {
                if (allComplete()) {
                    return new WorkerReport(workerId, completed, takeovers, processed, checkpoints);
                }
                coordinator.awaitRelease(job.options().pollEvery()); // a release, or time to retry an expired lease
                continue;
            }
            if (claim.lease().previousOwner() != null) {
                takeovers++;
            }
            runPartition(worker, coordinator, runner, claim);
        }
    }

    private void runPartition(CancellationSource worker, Coordinator coordinator, PartitionRunner<I, S> runner,
            Claims.Claimed claim) throws Exception {
        boolean release = true;
        try (CancellationSource partition = worker.child()) {
            coordinator.hold(claim.lease(), partition);
            PartitionCheckpoint<S> shape = job.shape(claim.lease().partition());
            int maxBytes = job.options().job().maxCheckpointBytes();
            String text = claim.checkpoint();
            if (text == null) { // over the limit: the server did not send it (J2, as a damaged row)
                throw PartitionCodec.oversized(tables.partitions(), shape, claim.checkpointBytes(), maxBytes);
            }
            PartitionCheckpoint<S> start = PartitionCodec.decode(tables.partitions(), text, shape, claim.nextItem(),
                    job.stateType(), maxBytes);
            checkOutputRows(start);
            PartitionRunner.Outcome outcome = partition.call(() -> runner.run(claim.lease(), start, coordinator));
            processed += outcome.processed();
            checkpoints += outcome.checkpoints();
            completed++;
            release = false; // the completing commit cleared the lease
        } catch (LeaseLostException lost) {
            release = false; // not this worker's to release
            throw lost;
        } catch (CancelledException e) {
            // the partition's token was cancelled when the body ended: call() reports that as a CancelledException
            // whose cause is what the body threw; a refused commit is the news, not the cancel
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof LeaseLostException refused) {
                    release = false;
                    throw refused;
                }
            }
            if (coordinator.leaseLost() && !worker.isCancelled()) { // the partition's token, not the worker's
                release = false;
                LeaseLostException lost = new LeaseLostException("job '" + job.id() + "', partition "
                        + claim.lease().partition() + ": this worker's lease (worker '" + workerId + "', epoch "
                        + claim.lease().epoch() + ") was taken over by another worker before this worker committed "
                        + "anything more; nothing uncommitted was written", claim.lease().partition());
                lost.addSuppressed(e);
                throw lost;
            }
            throw e;
        } finally {
            coordinator.hold(null, null);
            if (release) {
                Cancellation.shielded(job.options().job().cleanupBudget(), () -> {
                    try (Connection c = job.db().dataSource().getConnection()) {
                        Claims.release(c, tables, claim.lease());
                    }
                });
            }
        }
    }

    /** J2 for the output table: the checkpoint's row count must be there, no more and no less. */
    private void checkOutputRows(PartitionCheckpoint<S> start) throws SQLException, PartitionCheckpointException {
        try (Connection c = job.db().dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM " + tables.output() + " WHERE job_id = ? AND partition = ?")) {
            s.setString(1, job.id());
            s.setInt(2, start.partition());
            try (ResultSet r = Statements.call(s, PreparedStatement::executeQuery)) {
                r.next();
                long rows = r.getLong(1);
                if (rows != start.outputRows()) {
                    throw new PartitionCheckpointException(tables.output(), job.id(), start.partition(),
                            rows < start.outputRows() ? Problem.OUTPUT_SHORTER_THAN_CHECKPOINT
                                    : Problem.OUTPUT_WITHOUT_CHECKPOINT, "the checkpoint counts "
                            + start.outputRows() + " output rows for its done items, the table has " + rows
                            + ": output was deleted or written by something else", "Restore the output rows from a "
                            + "backup, or delete the job and submit it again", null);
                }
            }
        }
    }

    private boolean allComplete() throws SQLException {
        try (Connection c = job.db().dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM " + tables.partitions() + " WHERE job_id = ? AND completed_at IS NULL")) {
            s.setString(1, job.id());
            try (ResultSet r = Statements.call(s, PreparedStatement::executeQuery)) {
                r.next();
                return r.getLong(1) == 0;
            }
        }
    }
}
