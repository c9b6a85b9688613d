package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.function.UnaryOperator;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.jobs.CheckpointException.Problem;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.cancelkit.jobs.postgres.internal.PartitionCheckpoint;
import org.cancelkit.jobs.postgres.internal.PartitionCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * J2 for checkpoints in the database: a damaged, cut, foreign or incompatible partition checkpoint,
 * a row edited by hand, output rows missing, or a worker with other items or another state version is
 * refused with a {@link PartitionCheckpointException} naming the table, the job and the partition and
 * saying what to do; nothing is processed and the row is left as it was. Negative control: the same
 * job with its row intact runs.
 */
class CheckpointValidationTest {
    private static final int N = 30;
    private final String prefix = Pg.freshPrefix();
    private JobDatabase db;

    @BeforeEach
    void setUp() throws Exception {
        db = Fixtures.migratedWithSink(prefix);
    }

    @AfterEach
    void drop() throws SQLException {
        Pg.drop(prefix);
    }

    private ClusterJob<Long, Tally> job(String id, int n, int stateVersion) {
        return ClusterJob.create(db, id, Fixtures.items(n), 3, Tally.class, Tally.ZERO,
                Fixtures.processor(prefix, "w", true)).withOptions(ClusterOptions.defaults()
                .withJob(JobOptions.defaults().withCheckpointEveryItems(4).withStateVersion(stateVersion)));
    }

    private String checkpoint(String id, int partition) throws SQLException {
        try (var c = Pg.dataSource().getConnection(); var s = c.prepareStatement("SELECT checkpoint FROM " + prefix
                + "partitions WHERE job_id = ? AND partition = ?")) {
            s.setString(1, id);
            s.setInt(2, partition);
            try (var r = s.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        }
    }

    private void damage(String id, Problem expected, String what, UnaryOperator<String> edit) throws Exception {
        ClusterJob<Long, Tally> job = job(id, N, 1);
        job.submit();
        String damaged = edit.apply(checkpoint(id, 0));
        Pg.update("UPDATE " + prefix + "partitions SET checkpoint = ? WHERE job_id = ? AND partition = 0", damaged, id);
        assertThatThrownBy(() -> job.work("w")).as(what).isInstanceOfSatisfying(PartitionCheckpointException.class,
                e -> {
                    assertThat(e.problem()).isEqualTo(expected);
                    assertThat(e.partition()).isZero();
                    assertThat(e.getMessage()).contains("PostgreSQL table " + prefix + "partitions, job '" + id
                            + "', partition 0").contains("delete it");
                });
        assertThat(checkpoint(id, 0)).as("left as it was").isEqualTo(damaged);
        assertThat(Fixtures.rows(prefix)).as("nothing processed").isZero();
    }

    @Test
    @DisplayName("J2: a changed value (checksum), an empty, a cut, a non-JSON, a foreign and a future checkpoint are refused")
    void damagedCheckpoints() throws Exception {
        damage("flip", Problem.CORRUPT, "a digit changed", s -> s.replace("\"sum\":0", "\"sum\":1"));
        damage("empty", Problem.EMPTY, "empty", s -> "");
        damage("cut", Problem.TRUNCATED, "cut in half", s -> s.substring(0, s.length() / 2));
        damage("garbage", Problem.CORRUPT, "not JSON", s -> "#!%");
        damage("foreign", Problem.NOT_A_CHECKPOINT, "another program's JSON", s -> "{\"a\":1}");
        damage("future", Problem.UNSUPPORTED_FORMAT, "format version 2", s -> s.replace("\"formatVersion\":1",
                "\"formatVersion\":2"));
    }

    @Test
    @DisplayName("J2: every cut of a checkpoint is refused as TRUNCATED, never read and never a restart")
    void everyCut() throws Exception {
        ClusterJob<Long, Tally> job = job("cuts", N, 1);
        job.submit();
        String whole = checkpoint("cuts", 0);
        PartitionCheckpoint<Tally> shape = new PartitionCheckpoint<>("cuts", 0, 3, 1, N, 0, 10, 0, 0, Tally.ZERO);
        assertThat(PartitionCodec.decode("t", whole, shape, 0, Tally.class)).isEqualTo(shape); // the control
        for (int i = 1; i < whole.length(); i++) {
            String cut = whole.substring(0, i);
            assertThatThrownBy(() -> PartitionCodec.decode("t", cut, shape, 0, Tally.class))
                    .as("cut after %d characters", cut.length())
                    .isInstanceOfSatisfying(PartitionCheckpointException.class,
                            e -> assertThat(e.problem()).isEqualTo(Problem.TRUNCATED));
        }
    }

    @Test
    @DisplayName("J2: another partition's checkpoint copied into the row is refused (WRONG_JOB)")
    void copiedFromAnotherPartition() throws Exception {
        ClusterJob<Long, Tally> job = job("copied", N, 1);
        job.submit();
        Pg.update("UPDATE " + prefix + "partitions SET checkpoint = ? WHERE job_id = 'copied' AND partition = 0",
                checkpoint("copied", 1));
        assertThatThrownBy(() -> job.work("w")).isInstanceOfSatisfying(PartitionCheckpointException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.WRONG_JOB));
    }

    @Test
    @DisplayName("J2: a row whose next_item was edited by hand disagrees with its checkpoint: refused")
    void editedRow() throws Exception {
        ClusterJob<Long, Tally> job = job("edited", N, 1);
        job.submit();
        Pg.update("UPDATE " + prefix + "partitions SET next_item = 5 WHERE job_id = 'edited' AND partition = 0");
        assertThatThrownBy(() -> job.work("w")).isInstanceOfSatisfying(PartitionCheckpointException.class,
                e -> assertThat(e.getMessage()).contains("disagrees with the row's next_item"));
    }

    @Test
    @DisplayName("J2: output rows deleted behind the checkpoint's back are refused (OUTPUT_SHORTER_THAN_CHECKPOINT)")
    void outputLost() throws Exception {
        CancellationSource source = CancellationSource.create();
        ClusterJob<Long, Tally> first = ClusterJob.create(db, "lost", Fixtures.items(N), 3, Tally.class, Tally.ZERO,
                (ClusterItemProcessor<Long, Tally>) (index, item, tally, out, tx) -> {
                    Tally t = Fixtures.processor(prefix, "w", true).process(index, item, tally, out, tx);
                    if (index == 5) {
                        source.cancel("test");
                    }
                    return t;
                }).withOptions(ClusterOptions.defaults().withJob(JobOptions.defaults().withCheckpointEveryItems(4)));
        first.submit();
        assertThatThrownBy(() -> source.call(() -> first.work("w"))).isInstanceOf(CancelledException.class);
        Pg.update("DELETE FROM " + prefix + "output WHERE item = 2");
        assertThatThrownBy(() -> job("lost", N, 1).work("w")).isInstanceOfSatisfying(
                PartitionCheckpointException.class, e -> {
                    assertThat(e.problem()).isEqualTo(Problem.OUTPUT_SHORTER_THAN_CHECKPOINT);
                    assertThat(e.getMessage()).contains("counts 6 output rows").contains("the table has 5");
                });
    }

    @Test
    @DisplayName("J2: a worker with other items, another partition count or another state version is refused")
    void incompatibleWorker() throws Exception {
        job("shape", N, 1).submit();
        assertThatThrownBy(() -> job("shape", N + 1, 1).work("w")).isInstanceOfSatisfying(
                PartitionCheckpointException.class, e -> {
                    assertThat(e.problem()).isEqualTo(Problem.WRONG_ITEM_COUNT);
                    assertThat(e.partition()).isEqualTo(-1);
                    assertThat(e.getMessage()).contains("submitted with 30 items in 3 partitions")
                            .contains("this worker has 31 items in 3");
                });
        assertThatThrownBy(() -> job("shape", N, 2).submit()).isInstanceOfSatisfying(
                PartitionCheckpointException.class, e -> assertThat(e.problem()).isEqualTo(Problem.WRONG_STATE_VERSION));
        assertThat(Fixtures.rows(prefix)).isZero();
    }

    @Test
    @DisplayName("J2 negative control: the same job with its rows intact runs to the end")
    void intactRuns() throws Exception {
        ClusterJob<Long, Tally> job = job("intact", N, 1);
        job.submit();
        job.work("w");
        assertThat(Fixtures.distinct(prefix)).isEqualTo(N);
    }
}
