package org.cancelkit.jobs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.cancelkit.CancelledException;
import org.cancelkit.jobs.internal.JobRunner;

/**
 * A resumable job over a list of items: cancel it, crash it or kill it with {@code kill -9} at any
 * moment, run it again, and it resumes from its last checkpoint with every item's output in the output
 * file exactly once (J1).
 *
 * {@snippet :
 * record Sum(long total) {}                                           // the state: a public record
 * Job<Long, Sum> job = Job.create("squares", dir, items, Sum.class, new Sum(0),
 *         (index, item, sum, out) -> {
 *             out.println(index + " " + item * item);                  // this item's output
 *             return new Sum(sum.total() + item * item);               // the state after it
 *         })
 *     .withOptions(JobOptions.defaults().withCheckpointEveryItems(100)
 *         .withListener(p -> System.out.println(ProgressBar.line(p, 30))));
 * try {
 *     Timeout.call(Duration.ofMinutes(5), job::run);                  // stops at the deadline
 * } catch (DeadlineExceededException e) {
 *     // checkpointed; job.run() later resumes where it stopped
 * }
 * }
 *
 * <h2>Files</h2>
 * In {@code directory}: the output {@code <id>.out}, the checkpoint {@code <id>.checkpoint.json}, the
 * run lock {@code <id>.run.lock} (io's {@link org.cancelkit.io.ExclusiveLock}, held while a run or a
 * reset goes on; it dies with its process, so a killed run needs no cleaning up), and io's {@code .cancelkit.lock} of
 * {@link org.cancelkit.io.AtomicFiles#recover}, which every run calls first to remove what a killed
 * checkpoint write left behind.
 *
 * <h2>Exactly once: how</h2>
 * The checkpoint records, with the state and the next item, the <em>length of the output</em> that the
 * done items produced. A checkpoint is written by syncing the output first and then replacing the
 * checkpoint file atomically with {@link org.cancelkit.io.AtomicFiles} (F1, F2), so it never counts
 * output that a crash can lose. On resume, output beyond the checkpointed length (from items done after
 * the last checkpoint, or a write cut by the crash) is truncated, and those items run again. An item's
 * output is buffered while it runs and reaches the file only when its processor returns, so a cancelled
 * or failed item leaves nothing. This was chosen over a multi-file transaction per checkpoint because
 * the output only grows: one truncate is cheaper than rewriting the output, and the checkpoint alone is
 * the commit point.
 *
 * <p>What this does not cover: side effects of an item outside its {@link ItemOutput} (a row inserted,
 * a message sent) happen again when the item is redone after a crash; make them idempotent, or write
 * them through the output.
 *
 * <h2>Checkpoints that cannot be trusted (J2)</h2>
 * An empty, truncated, corrupt (checksum), foreign (another job), incompatible (state version, item
 * count, format version) checkpoint, an output shorter than its checkpoint, or output without a
 * checkpoint makes {@link #run()} throw {@link CheckpointException} naming the file and what to do. The
 * job never starts over silently: {@link #reset()} is the explicit way to do that.
 *
 * <h2>Cancellation</h2>
 * {@link #run()} runs on the calling thread and reads the current token: run it under a
 * {@link org.cancelkit.Timeout} or {@link org.cancelkit.CancellationToken#call}. It checks before every
 * item, and the processor is cancelled like any code there. When cancelled (or when an item fails) it
 * writes a checkpoint of the items done so far, shielded (C6, within
 * {@link JobOptions#cleanupBudget()}), then throws {@link CancelledException} (which a timeout reports
 * as {@link org.cancelkit.DeadlineExceededException}).
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>The items must be the same, in the same order, on every run: the checkpoint stores an index and
 *       the item count, not the items.</li>
 *   <li>The state must be serialisable by Jackson without reflection tricks: a public record or bean
 *       with public accessors in an exported (or opened) package.</li>
 *   <li>Output of items since the last checkpoint is held in memory (written to the file, unsynced,
 *       every 64 KiB); a long checkpoint interval costs redone work after a crash, not correctness.</li>
 *   <li>Only one run of a job at a time: a second one, in this or another process, fails at once with
 *       an {@link IOException} (io's {@code LockHeldException}) saying the job is already running and
 *       naming the process that runs it.</li>
 *   <li>Whoever can write the job's directory can write a checkpoint the job accepts (its CRC32C
 *       detects damage, not forgery): keep the directory writable by the job's user only. The job's
 *       files are never read or written through a symbolic link.</li>
 * </ul>
 *
 * <h2>Memory consistency</h2>
 * The processor, the listener and the checkpointing of one run all run on the thread that called
 * {@link #run()}, in item order: what item {@code i}'s processing did happens-before item {@code i + 1}'s.
 * Between runs (in the same process or not) the checkpoint file is the only thing passed on.
 *
 * <p>Immutable and thread-safe as a description; each {@link #run()} is confined to its calling thread,
 * and only one run of a job is allowed at a time. Arguments must not be null.
 *
 * @param <I> the item type
 * @param <S> the state type
 */
public final class Job<I, S> {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final String id;
    private final Path directory;
    private final List<? extends I> items;
    private final Class<S> stateType;
    private final S initialState;
    private final ItemProcessor<? super I, S> processor;
    private final JobOptions options;

    private Job(String id, Path directory, List<? extends I> items, Class<S> stateType, S initialState,
            ItemProcessor<? super I, S> processor, JobOptions options) {
        this.id = id;
        this.directory = directory;
        this.items = items;
        this.stateType = stateType;
        this.initialState = initialState;
        this.processor = processor;
        this.options = options;
    }

    /**
     * Describes a job; nothing runs and no file is touched until {@link #run()}.
     *
     * @param id the job's id: letters, digits, {@code .}, {@code _}, {@code -}, at most 100 characters;
     *        names its files and is recorded in its checkpoint
     * @param directory where the output and the checkpoint live
     * @param items the items, the same in the same order on every run (copied)
     * @param stateType the state's type, for reading it back from a checkpoint
     * @param initialState the state before the first item
     * @param processor processes one item
     * @param <I> the item type
     * @param <S> the state type
     * @return the job, with {@link JobOptions#defaults()}
     * @throws IllegalArgumentException when the id is not a valid file name part
     */
    public static <I, S> Job<I, S> create(String id, Path directory, List<? extends I> items, Class<S> stateType,
            S initialState, ItemProcessor<? super I, S> processor) {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("job id '" + id + "' is not usable in file names: use 1-100 letters, "
                    + "digits, '.', '_' or '-', starting with a letter or digit");
        }
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(stateType, "stateType");
        Objects.requireNonNull(initialState, "initialState");
        Objects.requireNonNull(processor, "processor");
        if (!stateType.isInstance(initialState)) {
            throw new IllegalArgumentException("initialState is a " + initialState.getClass().getName()
                    + ", not a " + stateType.getName());
        }
        // Absolute: Path.of("") or a bare name would have no parent for the lock and the checkpoint's temp files.
        return new Job<>(id, directory.toAbsolutePath(), List.copyOf(Objects.requireNonNull(items, "items")), stateType,
                initialState, processor, JobOptions.defaults());
    }

    /**
     * Returns a copy with other options.
     *
     * @param options the settings
     * @return a copy with other options
     */
    public Job<I, S> withOptions(JobOptions options) {
        return new Job<>(id, directory, items, stateType, initialState, processor,
                Objects.requireNonNull(options, "options"));
    }

    /**
     * Runs the job to its end, resuming from its checkpoint if it has one; a job that is already
     * complete returns at once.
     *
     * @return what the run did
     * @throws CheckpointException when the checkpoint or the output cannot be trusted (J2); nothing was changed
     * @throws IOException when a file operation fails; what was checkpointed stays valid
     * @throws ItemFailedException when an item's processor threw; the items before it are checkpointed
     * @throws CancelledException when the run was cancelled; the done items are checkpointed
     */
    public JobResult<S> run() throws IOException, ItemFailedException {
        return runner().run();
    }

    /**
     * Reads and checks the checkpoint, without running anything.
     *
     * @return the checkpoint, or empty when the job has none
     * @throws CheckpointException when it exists but cannot be trusted
     * @throws IOException when it cannot be read
     */
    public Optional<Checkpoint<S>> checkpoint() throws IOException {
        return runner().readCheckpoint();
    }

    /**
     * Starts the job over, explicitly: writes a fresh checkpoint at item 0 (replacing any checkpoint,
     * even a damaged one), then empties the output. The next {@link #run()} processes every item.
     *
     * @throws IOException when a file operation fails
     */
    public void reset() throws IOException {
        runner().reset();
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
     * Returns the output file, {@code <directory>/<id>.out}.
     *
     * @return the output file
     */
    public Path outputFile() {
        return directory.resolve(id + ".out");
    }

    /**
     * Returns the checkpoint file, {@code <directory>/<id>.checkpoint.json}.
     *
     * @return the checkpoint file
     */
    public Path checkpointFile() {
        return directory.resolve(id + ".checkpoint.json");
    }

    /**
     * Returns the options.
     *
     * @return the options
     */
    public JobOptions options() {
        return options;
    }

    /**
     * Returns the number of items.
     *
     * @return the number of items
     */
    public int size() {
        return items.size();
    }

    private JobRunner<I, S> runner() {
        return new JobRunner<>(id, outputFile(), checkpointFile(), items, stateType, initialState, processor, options);
    }

    @Override
    public String toString() {
        return "Job[" + id + ", " + items.size() + " items, in " + directory + "]";
    }
}
