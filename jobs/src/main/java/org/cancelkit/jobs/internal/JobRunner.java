package org.cancelkit.jobs.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.cancelkit.Cancellation;
import org.cancelkit.CancelledException;
import org.cancelkit.MonotonicClock;
import org.cancelkit.io.AtomicFiles;
import org.cancelkit.io.ExclusiveLock;
import org.cancelkit.io.LockHeldException;
import org.cancelkit.jobs.Checkpoint;
import org.cancelkit.jobs.CheckpointException;
import org.cancelkit.jobs.CheckpointException.Problem;
import org.cancelkit.jobs.ItemFailedException;
import org.cancelkit.jobs.ItemProcessor;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.JobResult;
import org.cancelkit.jobs.Progress.Event;
import org.jspecify.annotations.Nullable;

/**
 * One run of a job: load and check the checkpoint, cut the output back to it, process the remaining
 * items, checkpoint, and on any early stop save what is done, shielded.
 *
 * <h2>Rules (cited by number below)</h2>
 * <ol>
 *   <li>The checkpoint is the truth. The first {@code outputLength} bytes of the output file are exactly
 *       the output of items {@code 0 .. nextItem - 1}; bytes beyond are output of items that were not
 *       checkpointed, and are cut off before the run resumes (J1).</li>
 *   <li>Checkpoint order: the output is written and synced ({@code force}) before the checkpoint that
 *       counts it is replaced atomically ({@link AtomicFiles#write}, F1/F2). A crash between the two
 *       leaves output beyond the old checkpoint, which rule 1 cuts off. So a checkpoint never counts
 *       bytes that a crash can lose.</li>
 *   <li>An item's output is buffered while it runs and joins the job's output only when its processor
 *       returns: an item that fails or is cancelled leaves nothing, and is processed again on resume.
 *       {@code done}, {@code state} and {@code pending} change together, after the item.</li>
 *   <li>Output is written with positional writes at {@code appended}, so a write cut by an interrupt
 *       (which closes the channel) is simply written again at the same place after reopening.</li>
 *   <li>A checkpoint exists before the output file has any content: output without a checkpoint is
 *       therefore an error (J2), never a reason to start over silently.</li>
 *   <li>A run or a reset holds the job's lock ({@code <id>.run.lock}) from before it reads anything
 *       until it has closed the output: two runs never interleave.</li>
 * </ol>
 *
 * <p>Confined to the thread that runs the job; every mutable field is written and read by it only.
 *
 * @param <I> the item type
 * @param <S> the state type
 */
public final class JobRunner<I, S> {
    private final String id;
    private final Path output;
    private final Path checkpointFile;
    private final Path lockFile;
    private final List<? extends I> items;
    private final Class<S> stateType;
    private final S initialState;
    private final ItemProcessor<? super I, S> processor;
    private final JobOptions options;
    private final MonotonicClock clock;
    private final ProgressMeter meter;
    /** Rules 1, 2 and 4: the output file, its buffered output and whether a sync of it failed. */
    private final JobOutput out;

    private @Nullable Checkpoint<S> last;
    private long done;
    private @Nullable S state;
    private int checkpoints;
    private long lastCheckpointNanos;

    /**
     * Prepares a run.
     *
     * @param id the job's id
     * @param output the output file
     * @param checkpointFile the checkpoint file
     * @param items the items
     * @param stateType the state's type
     * @param initialState the state before the first item
     * @param processor the body
     * @param options the settings
     */
    public JobRunner(String id, Path output, Path checkpointFile, List<? extends I> items, Class<S> stateType,
            S initialState, ItemProcessor<? super I, S> processor, JobOptions options) {
        this.id = id;
        this.output = output;
        this.checkpointFile = checkpointFile;
        this.lockFile = checkpointFile.resolveSibling(id + ".run.lock");
        this.items = items;
        this.stateType = stateType;
        this.initialState = initialState;
        this.processor = processor;
        this.options = options;
        this.clock = options.clock() != null ? options.clock() : MonotonicClock.current();
        this.meter = new ProgressMeter(clock, options.listener(), items.size());
        this.out = new JobOutput(id, output);
    }

    /**
     * Reads and checks the job's checkpoint.
     *
     * @return the checkpoint, or empty when there is none
     * @throws IOException when it cannot be read ({@link CheckpointException} when it cannot be trusted)
     */
    public Optional<Checkpoint<S>> readCheckpoint() throws IOException {
        if (JobFiles.size(checkpointFile, "checkpoint") < 0) {
            return Optional.empty();
        }
        byte[] bytes = JobFiles.read(checkpointFile, options.maxCheckpointBytes());
        return Optional.of(CheckpointCodec.decode(checkpointFile, bytes, id, options.stateVersion(), items.size(),
                stateType, options.maxCheckpointBytes()));
    }

    private byte[] encode(Checkpoint<S> checkpoint) throws IOException {
        return CheckpointCodec.encode(checkpoint, checkpointFile, options.maxCheckpointBytes());
    }

    /**
     * Throws the work away: writes a fresh checkpoint at item 0, then empties the output (by rule 5 a
     * crash in between leaves a state the next run handles).
     *
     * @throws IOException when a file operation fails
     */
    public void reset() throws IOException {
        try (ExclusiveLock _ = lockJob()) {
            resetLocked();
        }
    }

    private void resetLocked() throws IOException {
        JobFiles.size(output, "output"); // refuses a link before anything is written
        AtomicFiles.write(checkpointFile, encode(
                new Checkpoint<>(id, options.stateVersion(), 0, items.size(), 0, initialState)));
        try (FileChannel ch = JobFiles.openOutput(output)) {
            ch.truncate(0);
            ch.force(true);
        }
    }

    /**
     * Runs the job to its end.
     *
     * @return what the run did
     * @throws IOException when a file operation fails ({@link CheckpointException} for an untrusted checkpoint)
     * @throws ItemFailedException when an item's processor threw
     * @throws CancelledException when the run was cancelled (after its checkpoint was saved)
     */
    public JobResult<S> run() throws IOException, ItemFailedException {
        try (ExclusiveLock _ = lockJob()) {
            return runLocked();
        }
    }

    private JobResult<S> runLocked() throws IOException, ItemFailedException {
        AtomicFiles.recover(checkpointFile.getParent()); // a checkpoint write killed midway leaves a temp file
        long outputSize = JobFiles.size(output, "output");
        Checkpoint<S> start = readCheckpoint().orElse(null);
        if (start == null) {
            if (outputSize > 0) { // rule 5
                throw new CheckpointException(checkpointFile, Problem.OUTPUT_WITHOUT_CHECKPOINT, "there is no "
                        + "checkpoint, but the output " + output + " already has " + outputSize + " bytes (the "
                        + "checkpoint was deleted, or another program wrote the output)", "Restore the checkpoint, "
                        + "or call Job.reset() to start over and discard that output", null);
            }
            start = new Checkpoint<>(id, options.stateVersion(), 0, items.size(), 0, initialState);
            AtomicFiles.write(checkpointFile, encode(start));
        } else if (Math.max(outputSize, 0) < start.outputLength()) {
            // A missing output counts as 0 bytes: a kill between the first checkpoint and the output's
            // creation leaves a checkpoint of 0 bytes and no file, which is consistent, not lost output.
            throw new CheckpointException(output, Problem.OUTPUT_SHORTER_THAN_CHECKPOINT, "the output "
                    + (outputSize < 0 ? "is missing" : "has " + outputSize + " bytes") + ", but the checkpoint "
                    + checkpointFile + " counts " + start.outputLength() + " bytes of output for its "
                    + start.nextItem() + " done items: output was lost or replaced", "Restore the output from a "
                    + "backup, or call Job.reset() to start over", null);
        }
        last = start;
        done = start.nextItem();
        state = start.state();
        long discarded;
        try {
            discarded = out.openAt(start.outputLength()); // rule 1: output of items the checkpoint does not count
            lastCheckpointNanos = clock.nanoTime();
            meter.start(done);
            if (done == items.size()) {
                meter.emit(Event.COMPLETED, done);
            } else {
                process();
            }
        } catch (Throwable t) {
            throw stop(t);
        } finally {
            out.close();
        }
        return new JobResult<>(Objects.requireNonNull(state), items.size(), start.nextItem(),
                done - start.nextItem(), discarded, out.appended(), checkpoints);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE; // longer than any run: never due
        }
    }

    private void process() throws Exception {
        int total = items.size();
        int sinceCheckpoint = 0;
        // Saturated: a huge interval ("by count only", Duration.ofSeconds(Long.MAX_VALUE)) overflows toNanos().
        long everyNanos = saturatedNanos(options.checkpointEvery());
        for (long i = done; i < total; i++) {
            Cancellation.check();
            Bytes itemOutput = new Bytes(i);
            S next;
            try {
                next = processor.process(i, items.get((int) i), Objects.requireNonNull(state), itemOutput);
            } catch (CancelledException e) {
                if (Cancellation.isCancelled()) {
                    throw e; // the job's own cancellation
                }
                // Some other token's cancellation, inside the processor: the item failed; the job was not cancelled.
                throw new ItemFailed(i, e);
            } catch (Throwable e) {
                throw new ItemFailed(i, e);
            } finally {
                itemOutput.end();
            }
            if (next == null) {
                throw new ItemFailed(i, new NullPointerException("the processor returned a null state; return the "
                        + "state after the item (the same object when nothing changed)"));
            }
            out.add(itemOutput); // rule 3: output, state and count move together
            state = next;
            done = i + 1;
            out.flushIfFull();
            meter.emit(Event.ITEM_DONE, done);
            sinceCheckpoint++;
            if (done == total || sinceCheckpoint >= options.checkpointEveryItems()
                    || clock.nanoTime() - lastCheckpointNanos >= everyNanos) {
                checkpoint();
                sinceCheckpoint = 0;
            }
        }
        meter.emit(Event.COMPLETED, done);
    }

    /** Rule 2: output written and synced, then the checkpoint replaced atomically. */
    private void checkpoint() throws IOException {
        out.sync(); // fails for good once a sync of this run has failed
        Checkpoint<S> cp = new Checkpoint<>(id, options.stateVersion(), done, items.size(), out.appended(),
                Objects.requireNonNull(state));
        var written = Emit.checkpointStarted();
        long writeStart = System.nanoTime();
        AtomicFiles.write(checkpointFile, encode(cp));
        Emit.checkpointWritten(written, cp, writeStart);
        last = cp;
        checkpoints++;
        lastCheckpointNanos = clock.nanoTime();
        meter.emit(Event.CHECKPOINT, done);
    }

    /**
     * The run stops early: save a checkpoint of the done items, shielded from the cancellation (C6),
     * and turn what happened into what the caller sees.
     */
    private RuntimeException stop(Throwable t) throws IOException, ItemFailedException {
        Throwable outcome = outcome(t);
        try {
            Cancellation.shielded(options.cleanupBudget(), this::saveStopped);
        } catch (Throwable e) {
            outcome.addSuppressed(e); // the previous checkpoint stands, and by rule 1 it is consistent
        }
        if (outcome instanceof IOException io) {
            throw io;
        }
        if (outcome instanceof ItemFailedException f) {
            throw f;
        }
        if (outcome instanceof RuntimeException r) {
            throw r;
        }
        if (outcome instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("job '" + id + "' stopped", outcome);
    }

    private Throwable outcome(Throwable t) {
        if (t instanceof CancelledException && Cancellation.isCancelled()) {
            return t;
        }
        Throwable cause = t instanceof ItemFailed f ? f.getCause() : t;
        if (Cancellation.isCancelled()) {
            // an interrupt from the cancellation (InterruptedException, ClosedByInterruptException) or a
            // failure it provoked: report the cancellation, with what it caused attached
            try {
                Cancellation.check();
            } catch (CancelledException c) {
                if (cause != null) {
                    c.addSuppressed(cause);
                }
                return c;
            }
        }
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt(); // not our cancellation: keep the interrupt for the caller
        }
        if (t instanceof ItemFailed f) {
            return new ItemFailedException(id, f.index, Objects.requireNonNull(f.getCause()));
        }
        return t;
    }

    private void saveStopped() throws IOException {
        Checkpoint<S> cp = last;
        if (cp == null || !out.opened()) {
            return; // stopped before the run began: nothing to save
        }
        if (done == cp.nextItem() || out.syncFailed()) {
            meter.emit(Event.STOPPED, done);
            return; // nothing done since the last checkpoint, or nothing that may be counted (syncFailed)
        }
        out.reopenIfClosed(); // closed by an interrupt; rule 4 makes rewriting safe
        checkpoint();
        meter.emit(Event.STOPPED, done);
    }

    /**
     * Rule 6: one run (or reset) of a job at a time, across processes, with io's {@link ExclusiveLock}
     * on its own file that is never deleted (deleting a lock file races with its next user). The lock
     * dies with its process, so a killed run's lock needs no cleaning up; a refused attempt never opens
     * the file, so it cannot release the running one's lock (closing any descriptor of a file drops the
     * process's POSIX locks on it).
     */
    private ExclusiveLock lockJob() throws IOException {
        Files.createDirectories(lockFile.getParent());
        try {
            return ExclusiveLock.acquire(lockFile, Duration.ZERO);
        } catch (LockHeldException e) {
            throw new LockHeldException(lockFile, e.holder(), "job '" + id + "' is already running: " + lockFile
                    + " is locked by " + e.holder() + "; wait for that run to end or stop it, then run again");
        }
    }

    /** An item's processor threw; carries the index out of the loop. */
    private static final class ItemFailed extends Exception {
        private static final long serialVersionUID = 1L;
        private final long index;

        ItemFailed(long index, Throwable cause) {
            super(cause);
            this.index = index;
        }
    }
}
