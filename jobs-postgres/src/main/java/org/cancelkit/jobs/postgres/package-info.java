/**
 * Jobs across machines, with PostgreSQL as the coordination engine: a {@link
 * org.cancelkit.jobs.postgres.ClusterJob} is split into partitions that worker processes claim with
 * leases, checkpoint in the database in the same transaction as the items' writes, and take over from
 * one another when a worker dies; a cancel from any process reaches every worker.
 *
 * <h2>The promises (DESIGN.md, "Jobs")</h2>
 * <ul>
 *   <li>J1–J3 as for the file-based {@link org.cancelkit.jobs.Job}: resumed from the last checkpoint
 *       with every item's writes and output exactly once; a damaged, foreign or incompatible checkpoint
 *       a clear {@link org.cancelkit.jobs.postgres.PartitionCheckpointException}; progress, here read
 *       from the database by {@link org.cancelkit.jobs.postgres.JobDatabase#status}.</li>
 *   <li>J4: a chunk's writes, its output rows and the checkpoint that counts them commit in one
 *       transaction; a worker killed at any moment leaves its partition at its last checkpoint, and a
 *       partition whose lease expired is taken over from there.</li>
 *   <li>J5: a worker whose lease was taken cannot commit for the partition any more, even if it wakes up
 *       later: the lease epoch is checked in the commit's own transaction.</li>
 *   <li>J6: a cancel of the job from any process reaches every worker's token within a second (LISTEN/
 *       NOTIFY, with polling as the fallback), softly with the requested grace; each worker commits its
 *       done items and releases its lease.</li>
 * </ul>
 */
@NullMarked
package org.cancelkit.jobs.postgres;

import org.jspecify.annotations.NullMarked;
