package org.cancelkit.jobs;

/**
 * What a completed {@link Job#run()} did.
 *
 * @param state the final state, after every item
 * @param totalItems items in the job
 * @param resumedFrom items already done by earlier runs when this run started (0 for a fresh job)
 * @param processedThisRun items this run processed
 * @param discardedOutputBytes output bytes beyond the last checkpoint that this run cut off before
 *        resuming: output of items an earlier run had not checkpointed (they were processed again)
 * @param outputLength the length of the output file, in bytes
 * @param checkpointsWritten checkpoints this run wrote
 * @param <S> the state type
 */
public record JobResult<S>(S state, long totalItems, long resumedFrom, long processedThisRun,
        long discardedOutputBytes, long outputLength, int checkpointsWritten) {}
