package org.cancelkit.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.cancelkit.io.AtomicFiles;
import org.cancelkit.jobs.Fixtures.Tally;
import org.cancelkit.testkit.ChildJvm;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * J1 with real crashes: a child JVM ({@link JobChild}) runs the job and is killed with SIGKILL at a
 * random moment (after 0-3 of its checkpoints and a random jitter, so the kill lands in items, in an
 * output write, in a sync or in a checkpoint's atomic write), again and again; then the job is finished.
 * Checked from outside after every kill: the checkpoint parses (never partial, J2) and never goes back;
 * the output up to the checkpointed length is exactly the reference. At the end: the output is
 * byte-identical to an uninterrupted run's (every item exactly once).
 *
 * <p>Negative control built in: the test counts kills that left output beyond the checkpoint (written
 * but not checkpointed), checks that such a tail begins with the output of the first item the resumed
 * run will redo (so a resume without the truncation would write that item twice), and requires at
 * least one such kill, so that the truncation is really exercised.
 */
class KillDuringJobTest {
    /** The jobs and io modules, for the child JVM's class path (the core is always there). */
    private static final List<Class<?>> CHILD_CLASSES = List.of(Job.class, AtomicFiles.class);

    private static final long SEED = Long.getLong("cancelkit.seed", System.nanoTime());

    @TempDir
    Path root;

    @Test
    @DisplayName("J1 J2: 20 kill -9 at random moments of a job; resumed each time; output byte-identical")
    void twentyKills() throws Exception {
        run(20, 40_000);
    }

    @Test
    @Tag("stress")
    @DisplayName("J1 J2 (stress): 200 kill -9 at random moments of a job; resumed each time; output byte-identical")
    void twoHundredKills() throws Exception {
        run(200, 400_000);
    }

    private void run(int kills, int n) throws Exception {
        Path dir = Files.createDirectories(root.resolve("job"));
        Random rnd = new Random(SEED);
        int every = 50;
        int rounds = 20;
        long lastNext = 0;
        int tails = 0;
        int beforeFirstCheckpoint = 0;
        long t0 = System.nanoTime();
        int k = 0;
        // the kills asked for; then, only while no kill has yet landed between an output write and its
        // checkpoint, up to twice as many more, so that the truncation is surely exercised
        for (; k < kills || tails == 0 && k < 3 * kills; k++) {
            String at = "seed " + SEED + ", kill " + k;
            boolean done = false;
            try (ChildJvm child = ChildJvm.start(root.resolve("logs"), JobChild.class, CHILD_CLASSES, dir.toString(),
                    Integer.toString(n), Integer.toString(every), Integer.toString(rounds))) {
                assertThat(child.awaitOrEnd("READY")).as(at + ": child started; stderr " + child.stderr()).isNotNull();
                for (int i = rnd.nextInt(4); i > 0 && !done; i--) {
                    done = child.awaitOrEnd("CP ") == null;
                }
                LockSupport.parkNanos(rnd.nextLong(8_000_000)); // jitter: where the kill lands
                child.kill();
            }
            Job<Integer, Tally> job = Fixtures.job(dir, n, JobChild.work(rounds));
            var cp = job.checkpoint(); // throws CheckpointException if the checkpoint is partial
            if (cp.isEmpty()) {
                beforeFirstCheckpoint++;
                continue;
            }
            assertThat(cp.get().isComplete()).as(at + ": the job must not finish before the kills end").isFalse();
            long next = cp.get().nextItem();
            assertThat(next).as(at + ": the checkpoint never goes back").isGreaterThanOrEqualTo(lastNext);
            lastNext = next;
            byte[] out = Files.readAllBytes(job.outputFile());
            int length = (int) cp.get().outputLength();
            assertThat(out.length).as(at + ": the output has at least what the checkpoint counts")
                    .isGreaterThanOrEqualTo(length);
            assertThat(new String(Arrays.copyOf(out, length), StandardCharsets.UTF_8))
                    .as(at + ": the checkpointed output is exactly items 0.." + (next - 1))
                    .isEqualTo(Fixtures.reference((int) next));
            if (out.length > length) {
                tails++;
                // the tail is item next's output (or a cut of it): a resume that appended without
                // cutting it off would write item next a second time
                String tail = new String(out, length, out.length - length, StandardCharsets.UTF_8);
                String nextLine = Fixtures.line(next, (int) next);
                assertThat(nextLine.startsWith(tail) || tail.startsWith(nextLine))
                        .as(at + ": the uncheckpointed tail starts with item " + next + "'s output: " + tail.lines()
                                .findFirst().orElse("")).isTrue();
            }
        }
        JobResult<Tally> last = Fixtures.job(dir, n, JobChild.work(rounds)).run();
        System.out.printf("[J1 kill -9] %d kills in %.1f s, seed %d: %d left output beyond the checkpoint (cut on "
                + "resume), %d came before the first checkpoint; the last run resumed at item %d of %d%n", k,
                (System.nanoTime() - t0) / 1e9, SEED, tails, beforeFirstCheckpoint, last.resumedFrom(), n);
        Fixtures.assertExactlyOnce(Fixtures.job(dir, n, Fixtures.writeLine()).outputFile(), n, "after " + k
                + " kills (seed " + SEED + ")");
        assertThat(last.state()).isEqualTo(new Tally(n, (long) n * (n - 1) / 2));
        assertThat(tails).as("kills that left uncheckpointed output (else the truncation is not exercised)")
                .isPositive();
    }
}
