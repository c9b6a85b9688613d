package org.cancelkit.jobs.postgres.internal;

/**
 * A lease this worker holds on a partition: it may commit for the partition only while the row's
 * {@code lease_owner} and {@code lease_epoch} are these (the fence).
 *
 * @param jobId the job
 * @param partition the partition
 * @param owner this worker's id
 * @param epoch the epoch the claim set; every claim raises it by one
 * @param previousOwner the owner before this claim when it had not released the partition (a takeover
 *        of an expired lease), or null
 */
public record Lease(String jobId, int partition, String owner, long epoch,
        @org.jspecify.annotations.Nullable String previousOwner) {}
