package org.cancelkit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cancelkit.jobs.CheckpointException.Problem;
import org.cancelkit.jobs.Fixtures.Tally;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, items 1 and 8: a checkpoint directory that someone else can write, out-of-range numbers
 * in a resealed checkpoint, and states over the JSON limits (J2).
 */
class CheckpointHardeningTest {
    private static final int N = 20;

    @TempDir
    Path root;
    Path dir;
    Path outside;

    @BeforeEach
    void layout() throws Exception {
        dir = Files.createDirectory(root.resolve("job"));
        outside = Files.createDirectory(root.resolve("outside"));
        Files.writeString(outside.resolve("victim"), "victim");
    }

    private Job<Integer, Tally> job() {
        return Fixtures.job(dir, N, Fixtures.writeLine());
    }

    /** A checkpoint of the test job at item 0, resealed with {@code stateVersion} set to {@code value}. */
    private Job<Integer, Tally> withStateVersion(Object value) throws Exception {
        Job<Integer, Tally> job = job();
        job.reset();
        byte[] cp = Checkpoints.resealed(Files.readAllBytes(job.checkpointFile()), body -> {
            switch (value) {
                case Long l -> body.put("stateVersion", l);
                case Double d -> body.put("stateVersion", d);
                default -> body.put("stateVersion", value.toString());
            }
        });
        Files.write(job.checkpointFile(), cp);
        return job;
    }

    @Test
    @DisplayName("J2: a stateVersion out of int range (4294967297 = 2^32 + 1) is refused, not read as 1")
    void stateVersionOutOfRange_isRefused() throws Exception {
        for (Object bad : List.of(4_294_967_297L, 1.5, "1")) {
            Job<Integer, Tally> job = withStateVersion(bad);
            assertThatThrownBy(job::run).as(String.valueOf(bad)).isInstanceOfSatisfying(CheckpointException.class,
                    e -> {
                        assertThat(e.problem()).isEqualTo(Problem.CORRUPT);
                        assertThat(e.getMessage()).contains("stateVersion");
                    });
            assertThat(job.outputFile()).isEmptyFile();
        }
        // negative control: the same resealing with the right version resumes
        Job<Integer, Tally> good = withStateVersion(1L);
        assertThat(good.run().processedThisRun()).isEqualTo(N);
    }

    /** Found by CheckpointFuzzTest: BigDecimal refuses an exponent past int range, with a raw NumberFormatException. */
    @Test
    @DisplayName("J2: a number whose exponent is past int range is a CheckpointException, not a NumberFormatException")
    void aNumberBigDecimalCannotRead_isACheckpointException() throws Exception {
        Job<Integer, Tally> job = job();
        Files.writeString(job.checkpointFile(), "{\"format\": \"cancelkit-job-checkpoint\", \"formatVersion\": 1, "
                + "\"bodyLength\": -39e99999602040802449019361}");
        assertThatThrownBy(job::run).isInstanceOfSatisfying(CheckpointException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.CORRUPT));
    }

    /** A state holding a number longer than the JSON reader's 1000 digits. */
    public record Huge(BigInteger value) {}

    @Test
    @DisplayName("J2: a state over a fixed JSON limit (a 1001-digit number) is a CheckpointException saying the limit")
    void aNumberOverTheReadersLimit_isACheckpointException() throws Exception {
        BigInteger big = BigInteger.TEN.pow(1000); // 1001 digits
        Job<Integer, Huge> job = Job.create("huge", dir, Fixtures.items(N), Huge.class, new Huge(BigInteger.ONE),
                (i, item, s, out) -> new Huge(big));
        assertThatThrownBy(job::run).isInstanceOfSatisfying(CheckpointException.class, e -> {
            assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
            assertThat(e.getMessage()).contains("1000 digits", "JobOptions.withMaxCheckpointBytes", "1001");
        });
    }

    /** A state holding text. */
    public record Text(String text) {}

    @Test
    @DisplayName("J2: a state over maxCheckpointBytes is refused with the limit and how to raise it; raised, it runs")
    void aStateOverTheSizeLimit_saysHowToRaiseIt() throws Exception {
        String text = "x".repeat(5_000);
        Job<Integer, Text> job = Job.create("text", dir, Fixtures.items(N), Text.class, new Text(""),
                (i, item, s, out) -> new Text(text)).withOptions(JobOptions.defaults().withMaxCheckpointBytes(4096));
        assertThatThrownBy(job::run).isInstanceOfSatisfying(CheckpointException.class, e -> {
            assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
            assertThat(e.getMessage()).contains("4096", "JobOptions.withMaxCheckpointBytes");
        });
        JobResult<Text> r = job.withOptions(JobOptions.defaults().withMaxCheckpointBytes(64 * 1024)).run();
        assertThat(r.state().text()).hasSize(5_000);
        // a file over the limit is refused before it is parsed
        Files.write(job.checkpointFile(), new byte[8192]);
        assertThatThrownBy(job.withOptions(JobOptions.defaults().withMaxCheckpointBytes(4096))::run)
                .isInstanceOfSatisfying(CheckpointException.class, e ->
                        assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE));
    }

    @Test
    @DisplayName("item 1: an output linked elsewhere is refused by run and reset, and what it points to is untouched")
    void anOutputThatIsASymlink_isRefused() throws Exception {
        Job<Integer, Tally> job = job();
        Files.createSymbolicLink(job.outputFile(), outside.resolve("victim"));
        assertThatThrownBy(job::run).isInstanceOfSatisfying(CheckpointException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.NOT_A_REGULAR_FILE));
        assertThatThrownBy(job::reset).isInstanceOfSatisfying(CheckpointException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.NOT_A_REGULAR_FILE));
        assertThat(outside.resolve("victim")).hasContent("victim");
    }

    @Test
    @DisplayName("item 1: a checkpoint linked elsewhere is refused unread")
    void aCheckpointThatIsASymlink_isRefusedUnread() throws Exception {
        Job<Integer, Tally> job = job();
        Files.writeString(outside.resolve("secret"), "{\"password\": \"hunter2\"}");
        Files.createSymbolicLink(job.checkpointFile(), outside.resolve("secret"));
        assertThatThrownBy(job::run).isInstanceOfSatisfying(CheckpointException.class, e -> {
            assertThat(e.problem()).isEqualTo(Problem.NOT_A_REGULAR_FILE);
            assertThat(e.getMessage()).doesNotContain("hunter2", "password");
        });
        assertThatThrownBy(job::checkpoint).isInstanceOf(CheckpointException.class);
    }

    @Test
    @DisplayName("item 1: a run lock linked elsewhere is refused; nothing is created where it points")
    void aRunLockThatIsASymlink_isRefused() throws Exception {
        Job<Integer, Tally> job = job();
        Path lock = dir.resolve("test-job.run.lock");
        Files.createSymbolicLink(lock, outside.resolve("created-by-the-job"));
        assertThatThrownBy(job::run).isInstanceOf(IOException.class).hasMessageContaining("symbolic link");
        assertThat(outside.resolve("created-by-the-job")).doesNotExist();
        // negative control: the link removed, the job runs
        Files.delete(lock);
        assertThat(job.run().processedThisRun()).isEqualTo(N);
    }
}
