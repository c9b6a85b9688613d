package org.cancelkit.jobs.postgres;

/**
 * What one {@link ClusterJob#work} call did before the job was complete.
 *
 * @param workerId the worker
 * @param partitionsCompleted partitions this worker finished
 * @param takeovers partitions this worker claimed from another worker whose lease had expired
 * @param itemsProcessed items this worker processed and committed
 * @param checkpoints checkpoints (chunk commits) this worker wrote
 */
public record WorkerReport(String workerId, int partitionsCompleted, int takeovers, long itemsProcessed,
        int checkpoints) {}
