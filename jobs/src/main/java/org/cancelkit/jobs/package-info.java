/**
 * Resumable jobs: a long computation over a list of items that checkpoints as it goes and resumes
 * after a cancel, a crash or {@code kill -9}, with every item's output written exactly once.
 *
 * <h2>The promises (DESIGN.md, "Jobs")</h2>
 * <ul>
 *   <li>J1: a job resumes after cancel, crash or kill -9 from its last checkpoint, and every item's
 *       output appears exactly once.</li>
 *   <li>J2: a checkpoint is written atomically (io's F1); a corrupt or incompatible one is a clear
 *       {@link org.cancelkit.jobs.CheckpointException} naming the file, never a silent restart.</li>
 *   <li>J3: progress (done / total, rate, ETA) as {@link org.cancelkit.jobs.Progress} events on the
 *       job's clock, and a one-line {@link org.cancelkit.jobs.ProgressBar}.</li>
 * </ul>
 *
 * <h2>Where to start</h2>
 * {@link org.cancelkit.jobs.Job}.
 */
@NullMarked
package org.cancelkit.jobs;

import org.jspecify.annotations.NullMarked;
