package org.cancelkit.jobs;

import org.cancelkit.testkit.Fuzz;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.cancelkit.jobs.Fixtures.Tally;
import org.cancelkit.jobs.internal.CheckpointCodec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing the checkpoint, the data of the jobs module that crosses a trust boundary (issue 13): random
 * bytes, deep nesting, byte mutations and field mutations sealed again. Pass: the decoder returns a
 * checkpoint of this job within range, or throws a {@link CheckpointException} naming the file with a
 * bounded message, never another exception or error (no stack overflow), and allocates a bounded
 * amount; a run on a fuzzed checkpoint, with the output or the run lock sometimes a link to a file
 * outside, changes nothing outside the job's directory.
 *
 * <p>Plain JUnit with seeded generators ({@link Fuzz}): Jazzer 0.24.0 does not instrument Java 25 class
 * files, so it would fuzz blind (see the io module's JournalFuzzTest).
 */
class CheckpointFuzzTest {
    private static final Path FILE = Path.of("/fuzz/test-job.checkpoint.json");
    private static final int MAX = JobOptions.DEFAULT_MAX_CHECKPOINT_BYTES;

    @TempDir
    Path root;

    @Test
    void decoder() {
        decoder(Fuzz.SHORT);
    }

    @Test
    @Tag("stress")
    void decoder_stress() {
        decoder(Fuzz.LONG);
    }

    @Test
    void run() {
        run(Fuzz.SHORT);
    }

    @Test
    @Tag("stress")
    void run_stress() {
        run(Fuzz.LONG);
    }

    private static void decoder(Duration budget) {
        Map<String, Integer> outcomes = new TreeMap<>();
        long[] maxAllocated = {0};
        long n = Fuzz.run("checkpoint decoder", budget, 200, (rnd, i) -> {
            byte[] input = CheckpointInputs.any(rnd);
            long before = Fuzz.allocatedBytes();
            try {
                Checkpoint<Tally> cp = CheckpointCodec.decode(FILE, input, CheckpointInputs.JOB, 1,
                        CheckpointInputs.N, Tally.class, MAX);
                assertThat(cp.jobId()).isEqualTo(CheckpointInputs.JOB);
                assertThat(cp.stateVersion()).isEqualTo(1);
                assertThat(cp.totalItems()).isEqualTo(CheckpointInputs.N);
                assertThat(cp.nextItem()).isBetween(0L, (long) CheckpointInputs.N);
                assertThat(cp.outputLength()).isNotNegative();
                assertThat(cp.state()).isNotNull();
                outcomes.merge("decoded", 1, Integer::sum);
            } catch (CheckpointException e) {
                assertThat(e.file()).isEqualTo(FILE);
                assertThat(e.getMessage()).as("a bounded message").hasSizeLessThan(2_000);
                outcomes.merge(e.problem().name(), 1, Integer::sum);
            } finally {
                long used = Fuzz.allocatedBytes() - before;
                maxAllocated[0] = Math.max(maxAllocated[0], used);
                if (before >= 0) {
                    assertThat(used).as("allocated for %s", Fuzz.show(input)).isLessThan(64L * input.length + (8 << 20));
                }
            }
        });
        System.out.println("[fuzz, checkpoint decoder] seed " + Fuzz.START + ": " + n + " inputs " + outcomes
                + ", at most " + maxAllocated[0] + " bytes allocated by one decode");
        assertThat(outcomes).as("negative control: honest ones decode, and the checks behind the checksum are "
                + "reached").containsKeys("decoded", "CORRUPT", "TOO_LARGE", "WRONG_ITEM_COUNT");
    }

    private void run(Duration budget) {
        Map<String, Integer> outcomes = new TreeMap<>();
        long n = Fuzz.run("checkpoint run", budget, 8, (rnd, i) -> {
            Path base = Files.createDirectory(root.resolve("i" + i));
            Path dir = Files.createDirectory(base.resolve("job"));
            Path outside = Files.createDirectory(base.resolve("outside"));
            Files.writeString(outside.resolve("victim"), "victim");
            Job<Integer, Tally> job = Fixtures.job(dir, CheckpointInputs.N, Fixtures.writeLine());
            if (i % 8 != 0) { // every eighth: a fresh job, which runs (a control of the checks below)
                Files.write(job.checkpointFile(), CheckpointInputs.any(rnd));
            }
            switch (i % 8 == 1 ? 0 : i % 8 == 0 ? 7 : rnd.nextInt(8)) {
                case 0, 1 -> Files.createSymbolicLink(job.outputFile(), outside.resolve("victim"));
                case 2 -> Files.createSymbolicLink(dir.resolve("test-job.run.lock"), outside.resolve("created"));
                case 7 -> { } // no output yet
                default -> Files.write(job.outputFile(), CheckpointInputs.randomBytes(rnd, rnd.nextInt(5_000)));
            }
            Sentinels sentinels = Sentinels.of(base, dir);
            try {
                job.run();
                outcomes.merge("ran", 1, Integer::sum);
            } catch (CheckpointException e) {
                outcomes.merge(e.problem().name(), 1, Integer::sum);
            } catch (IOException e) {
                assertThat(e.getMessage()).isNotBlank();
                outcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
            }
            sentinels.assertUntouched();
            try (Stream<Path> all = Files.walk(base)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        });
        System.out.println("[fuzz, checkpoint run] seed " + Fuzz.START + ": " + n + " runs " + outcomes);
        assertThat(outcomes).as("negative control: a link is refused, a fresh job runs")
                .containsKeys("NOT_A_REGULAR_FILE", "ran");
    }
}
