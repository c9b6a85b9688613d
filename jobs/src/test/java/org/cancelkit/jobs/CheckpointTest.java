package org.cancelkit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.jobs.CheckpointException.Problem;
import org.cancelkit.jobs.Fixtures.Tally;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * J2: a checkpoint that cannot be trusted is a clear {@link CheckpointException} naming the file, what
 * is wrong and how to proceed; the failed run changes nothing (no silent restart, nothing lost).
 */
class CheckpointTest {
    private static final int N = 40;

    @TempDir
    Path dir;

    private Job<Integer, Tally> job;
    private byte[] good;
    private byte[] output;

    /** A job stopped at item 17 (checkpoints every 5 items, and the stop checkpoint). */
    @BeforeEach
    void stoppedJob() throws Exception {
        CancellationSource token = CancellationSource.create();
        job = Fixtures.job(dir, N, (index, item, tally, out) -> {
            out.print(Fixtures.line(index, item));
            if (index == 16) {
                token.cancel();
            }
            return tally.add(item);
        }).withOptions(JobOptions.defaults().withCheckpointEveryItems(5));
        assertThatThrownBy(() -> token.call(job::run)).isInstanceOf(CancelledException.class);
        good = Files.readAllBytes(job.checkpointFile());
        output = Files.readAllBytes(job.outputFile());
        assertThat(job.checkpoint().orElseThrow().nextItem()).isEqualTo(17);
    }

    private Job<Integer, Tally> fresh() {
        return Fixtures.job(dir, N, Fixtures.writeLine());
    }

    /** Runs the job on the damaged checkpoint: it must refuse, and leave both files as they were. */
    private CheckpointException refused(Job<Integer, Tally> j) throws IOException {
        byte[] cpBefore = Files.exists(j.checkpointFile()) ? Files.readAllBytes(j.checkpointFile()) : null;
        byte[] outBefore = Files.exists(j.outputFile()) ? Files.readAllBytes(j.outputFile()) : null;
        CheckpointException e = null;
        try {
            j.run();
        } catch (CheckpointException thrown) {
            e = thrown;
        } catch (Exception other) {
            throw new AssertionError("expected a CheckpointException, got " + other, other);
        }
        assertThat(e).as("the run must refuse the checkpoint, not start over").isNotNull();
        assertThat(e.getMessage()).as("names the file").contains(e.file().toString());
        assertThat(e.getMessage()).as("says how to proceed").containsAnyOf("Job.reset()", "Restore", "restore");
        assertThat(cpBefore == null ? null : Files.readAllBytes(j.checkpointFile())).as("checkpoint untouched")
                .isEqualTo(cpBefore);
        assertThat(outBefore == null ? null : Files.readAllBytes(j.outputFile())).as("output untouched")
                .isEqualTo(outBefore);
        return e;
    }

    @Test
    @DisplayName("J2: every truncation of the checkpoint is detected (empty, cut JSON or checksum)")
    void everyTruncationDetected() throws Exception {
        Map<Problem, Integer> seen = new EnumMap<>(Problem.class);
        for (int len = 0; len < good.length; len++) {
            Files.write(job.checkpointFile(), Arrays.copyOf(good, len));
            CheckpointException e = refused(fresh());
            assertThat(e.file()).isEqualTo(job.checkpointFile());
            assertThat(e.problem()).as("cut at " + len).isIn(Problem.EMPTY, Problem.TRUNCATED, Problem.CORRUPT);
            seen.merge(e.problem(), 1, Integer::sum);
        }
        System.out.println("[J2 truncations] " + good.length + " cuts, all refused: " + seen);
        assertThat(seen).containsKeys(Problem.EMPTY, Problem.TRUNCATED);
    }

    @Test
    @DisplayName("J2: every single-bit flip and every zeroed 8-byte block of the checkpoint is detected")
    void everyBitFlipAndZeroBlockDetected() throws Exception {
        int mutations = 0;
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                Files.write(job.checkpointFile(), bad);
                assertThatThrownBy(() -> fresh().checkpoint()).as("flip of bit " + bit + " at byte " + i)
                        .isInstanceOf(CheckpointException.class);
                mutations++;
            }
            byte[] zeroed = good.clone();
            Arrays.fill(zeroed, i, Math.min(good.length, i + 8), (byte) 0);
            Files.write(job.checkpointFile(), zeroed);
            assertThatThrownBy(() -> fresh().checkpoint()).as("zeroed at " + i).isInstanceOf(CheckpointException.class);
            mutations++;
        }
        System.out.println("[J2 mutations] " + mutations + " bit flips and zeroed blocks, 100% detected");
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 4;
        Files.write(job.checkpointFile(), bad);
        refused(fresh()); // a whole run refuses too, and changes nothing
    }

    @Test
    @DisplayName("J2: a checkpoint of another state version is refused, naming both versions")
    void wrongStateVersion() throws Exception {
        CheckpointException e = refused(fresh().withOptions(JobOptions.defaults().withStateVersion(2)));
        assertThat(e.problem()).isEqualTo(Problem.WRONG_STATE_VERSION);
        assertThat(e.getMessage()).contains("version 1", "version 2");
    }

    @Test
    @DisplayName("J2: a checkpoint of another job is refused, naming that job")
    void wrongJob() throws Exception {
        Job<Integer, Tally> other = Job.create("other-job", dir, Fixtures.items(N), Tally.class, Tally.ZERO,
                Fixtures.writeLine());
        Files.write(other.checkpointFile(), good);
        CheckpointException e = refused(other);
        assertThat(e.problem()).isEqualTo(Problem.WRONG_JOB);
        assertThat(e.getMessage()).contains("'test-job'", "'other-job'");
    }

    @Test
    @DisplayName("J2: a checkpoint written for another number of items is refused")
    void wrongItemCount() throws Exception {
        Job<Integer, Tally> more = Job.create("test-job", dir, Fixtures.items(N + 1), Tally.class, Tally.ZERO,
                Fixtures.writeLine());
        CheckpointException e = refused(more);
        assertThat(e.problem()).isEqualTo(Problem.WRONG_ITEM_COUNT);
        assertThat(e.getMessage()).contains("40 items", "41");
    }

    /** Another state shape, same id and version: the state cannot be read. */
    public record Renamed(String label) {}

    @Test
    @DisplayName("J2: a state that no longer fits the state type is refused")
    void unreadableState() throws Exception {
        Job<Integer, Renamed> changed = Job.create("test-job", dir, Fixtures.items(N), Renamed.class,
                new Renamed("x"), (i, item, s, out) -> s);
        CheckpointException e = null;
        try {
            changed.run();
        } catch (CheckpointException thrown) {
            e = thrown;
        }
        assertThat(e).isNotNull();
        assertThat(e.problem()).isEqualTo(Problem.UNREADABLE_STATE);
        assertThat(e.getMessage()).contains(Renamed.class.getName(), "stateVersion");
        assertThat(Files.readAllBytes(job.checkpointFile())).isEqualTo(good);
    }

    @Test
    @DisplayName("J2: another format version, and JSON that is no checkpoint, are refused")
    void foreignFormats() throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = (ObjectNode) m.readTree(good);
        root.put("formatVersion", 2);
        Files.write(job.checkpointFile(), m.writeValueAsBytes(root));
        assertThat(refused(fresh()).problem()).isEqualTo(Problem.UNSUPPORTED_FORMAT);
        Files.writeString(job.checkpointFile(), "{\"hello\": 1}");
        assertThat(refused(fresh()).problem()).isEqualTo(Problem.NOT_A_CHECKPOINT);
        Files.writeString(job.checkpointFile(), "[1, 2");
        assertThat(refused(fresh()).problem()).isEqualTo(Problem.TRUNCATED);
        Files.writeString(job.checkpointFile(), "{\"format\": }");
        assertThat(refused(fresh()).problem()).isEqualTo(Problem.CORRUPT);
    }

    @Test
    @DisplayName("J2: output shorter than its checkpoint, or missing, is refused; so is output without a checkpoint")
    void outputAndCheckpointDisagree() throws Exception {
        Files.write(job.outputFile(), Arrays.copyOf(output, output.length - 1));
        CheckpointException shorter = refused(fresh());
        assertThat(shorter.problem()).isEqualTo(Problem.OUTPUT_SHORTER_THAN_CHECKPOINT);
        assertThat(shorter.file()).isEqualTo(job.outputFile());

        Files.delete(job.outputFile());
        assertThat(refused(fresh()).problem()).isEqualTo(Problem.OUTPUT_SHORTER_THAN_CHECKPOINT);

        Files.write(job.outputFile(), output);
        Files.delete(job.checkpointFile());
        CheckpointException orphan = refused(fresh());
        assertThat(orphan.problem()).isEqualTo(Problem.OUTPUT_WITHOUT_CHECKPOINT);
        assertThat(orphan.getMessage()).contains(String.valueOf(output.length));
    }

    @Test
    @DisplayName("J2: reset() is the explicit way to start over, even from a damaged checkpoint")
    void resetStartsOver() throws Exception {
        Files.write(job.checkpointFile(), Arrays.copyOf(good, good.length / 2));
        refused(fresh());
        fresh().reset();
        JobResult<Tally> r = fresh().run();
        assertThat(r.resumedFrom()).isZero();
        Fixtures.assertExactlyOnce(job.outputFile(), N, "after reset");
    }

    /**
     * Negative control: what a non-atomic checkpoint write (write in place, {@code Files.write})
     * leaves when it is killed midway: a prefix of the new content, or new content over the tail of the
     * old. A plain JSON reader that takes a parse failure for "no checkpoint" would silently start over
     * on the cut ones, and accepts some mixed ones as valid JSON with values of two different
     * checkpoints; this reader refuses every one of them.
     */
    @Test
    @DisplayName("J2 negative control: torn in-place writes are partial checkpoints; the reader refuses all")
    void negativeControl_tornInPlaceWrites() throws Exception {
        byte[] old = good;
        JsonNode oldTree = new ObjectMapper().readTree(old);
        // the next checkpoint: resume and stop 5 items later, same digit counts, so the files align
        CancellationSource token = CancellationSource.create();
        Job<Integer, Tally> next = Fixtures.job(dir, N, (index, item, tally, out) -> {
            out.print(Fixtures.line(index, item));
            if (index == 21) {
                token.cancel();
            }
            return tally.add(item);
        }).withOptions(JobOptions.defaults().withCheckpointEveryItems(100));
        assertThatThrownBy(() -> token.call(next::run)).isInstanceOf(CancelledException.class);
        byte[] neu = Files.readAllBytes(job.checkpointFile());
        int cut = 0;
        int mixed = 0;
        int naiveSilentRestarts = 0;
        int naiveAcceptedMixed = 0;
        for (int c = 0; c < neu.length; c++) {
            byte[] prefix = Arrays.copyOf(neu, c); // truncate, then killed after c bytes
            Files.write(job.checkpointFile(), prefix);
            assertThatThrownBy(() -> fresh().checkpoint()).as("prefix " + c).isInstanceOf(CheckpointException.class);
            cut++;
            if (naive(prefix) == null) {
                naiveSilentRestarts++;
            }
            if (c < old.length) { // written over the old file without truncation, killed after c bytes
                byte[] over = old.clone();
                System.arraycopy(neu, 0, over, 0, Math.min(c, over.length));
                if (!Arrays.equals(over, old) && !Arrays.equals(over, neu)) {
                    Files.write(job.checkpointFile(), over);
                    assertThatThrownBy(() -> fresh().checkpoint()).as("mixed at " + c)
                            .isInstanceOf(CheckpointException.class);
                    mixed++;
                    JsonNode parsed = naive(over);
                    if (parsed != null && !parsed.equals(oldTree)) {
                        naiveAcceptedMixed++;
                    }
                }
            }
        }
        System.out.printf("[J2 negative control] %d cut and %d mixed torn checkpoints, all refused; a plain JSON "
                + "reader would silently restart on %d and accept %d mixed ones%n", cut, mixed, naiveSilentRestarts,
                naiveAcceptedMixed);
        assertThat(naiveSilentRestarts).as("torn writes a plain reader turns into a silent restart").isPositive();
        assertThat(naiveAcceptedMixed).as("torn writes a plain reader accepts with mixed values").isPositive();
    }

    /** A plain JSON reader: parse, or null for "no checkpoint". */
    private static JsonNode naive(byte[] bytes) {
        try {
            return new ObjectMapper().readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        }
    }
}
