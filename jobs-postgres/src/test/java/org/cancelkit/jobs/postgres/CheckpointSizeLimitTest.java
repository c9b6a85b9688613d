package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.jobs.CheckpointException.Problem;
import org.cancelkit.jobs.ItemFailedException;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.Progress;
import org.cancelkit.jobs.ProgressListener;
import org.cancelkit.jobs.postgres.internal.Claims;
import org.cancelkit.jobs.postgres.internal.PartitionCheckpoint;
import org.cancelkit.jobs.postgres.internal.PartitionCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * J2 for the size of a partition checkpoint: {@code JobOptions.maxCheckpointBytes} bounds the row a
 * worker writes and the row it reads. A state whose checkpoint is over the limit fails its chunk before
 * anything of the chunk commits; a row over the limit is refused before its text is fetched; both say
 * the size, the limit and how to raise it ({@link Problem#TOO_LARGE}); a state over the JSON reader's
 * number length is the same refusal when a worker writes it (the reader's limits on rows:
 * {@link CheckpointReaderLimitsTest}). Negative controls: a checkpoint of exactly the limit is written,
 * read and resumed from, and submitted; within the limit, the server sends the row.
 *
 * <p>The job: items 0..8 in one partition, so that a checkpoint's size depends on its state alone (its
 * next item and output row count have one digit from the first checkpoint to the last); the state is a
 * padding string that grows by one character at item 5 (unless a test says otherwise).
 */
class CheckpointSizeLimitTest {
    private static final int N = 9;
    private static final int GROW = 5;
    private static final int LIMIT = 4096;
    private final String prefix = Pg.freshPrefix();
    private JobDatabase db;

    /** The state: a padding string, so that its checkpoint has a chosen size. */
    public record Padded(String pad) {}

    /** A state holding a number of any length. */
    public record Huge(BigInteger value) {}

    @BeforeEach
    void setUp() throws Exception {
        db = Fixtures.migratedWithSink(prefix);
    }

    @AfterEach
    void drop() throws SQLException {
        Pg.drop(prefix);
    }

    private ClusterJob<Long, Padded> job(String id, Padded initial, int maxBytes, ProgressListener listener) {
        return job(id, initial, maxBytes, GROW, listener);
    }

    private ClusterJob<Long, Padded> job(String id, Padded initial, int maxBytes, long growAt,
            ProgressListener listener) {
        String insert = "INSERT INTO " + Fixtures.sink(prefix) + " (item, worker) VALUES (?, ?)";
        return ClusterJob.create(db, id, Fixtures.items(N), 1, Padded.class, initial,
                (ClusterItemProcessor<Long, Padded>) (index, item, state, out, tx) -> {
                    tx.update(insert, item, "w");
                    out.println("item " + index);
                    return index == growAt ? new Padded(state.pad() + "y") : state;
                }).withOptions(ClusterOptions.defaults().withJob(JobOptions.defaults().withCheckpointEveryItems(4)
                .withMaxCheckpointBytes(maxBytes).withListener(listener)));
    }

    private ClusterJob<Long, Padded> job(String id, Padded initial, int maxBytes) {
        return job(id, initial, maxBytes, p -> { });
    }

    /** A state whose checkpoint at item 0 (and at 4 and 9: one digit each) has exactly {@code bytes} bytes. */
    private static Padded padFor(ClusterJob<Long, Padded> job, int bytes) throws Exception {
        int base = bytes(PartitionCodec.encode(job.shape(0).advance(0, 0, new Padded(""))));
        for (int n = bytes - base; n >= 0; n--) { // the pad also lengthens the "bodyLength" figure
            Padded padded = new Padded("x".repeat(n));
            if (bytes(PartitionCodec.encode(job.shape(0).advance(0, 0, padded))) == bytes) {
                return padded;
            }
        }
        throw new AssertionError("no pad gives a checkpoint of " + bytes + " bytes");
    }

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private String row(String id) throws SQLException {
        try (var c = Pg.dataSource().getConnection(); var s = c.prepareStatement("SELECT checkpoint FROM " + prefix
                + "partitions WHERE job_id = ? AND partition = 0")) {
            s.setString(1, id);
            try (var r = s.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        }
    }

    private long rowBytes(String id) throws SQLException {
        return Pg.count("SELECT octet_length(checkpoint) FROM " + prefix + "partitions WHERE job_id = ?", id);
    }

    private long outputRows(String id) throws SQLException {
        return Pg.count("SELECT count(*) FROM " + prefix + "output WHERE job_id = ?", id);
    }

    private void forge(String id, String checkpoint) throws SQLException {
        Pg.update("UPDATE " + prefix + "partitions SET checkpoint = ? WHERE job_id = ? AND partition = 0", checkpoint,
                id);
    }

    @Test
    @DisplayName("J2: a state over maxCheckpointBytes fails its chunk: nothing of the chunk commits, the row stays")
    void aStateOverTheLimit_failsItsChunk_andNothingOfItCommits() throws Exception {
        String[] afterFirstChunk = new String[1];
        ClusterJob<Long, Padded> sized = job("over", new Padded(""), LIMIT);
        ClusterJob<Long, Padded> job = job("over", padFor(sized, LIMIT), LIMIT, p -> {
            if (p.event() == Progress.Event.CHECKPOINT && afterFirstChunk[0] == null) {
                try {
                    afterFirstChunk[0] = row("over");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        job.submit();
        assertThat(rowBytes("over")).as("submitted at exactly the limit").isEqualTo(LIMIT);
        assertThatThrownBy(() -> job.work("w")).isInstanceOfSatisfying(PartitionCheckpointException.class, e -> {
            assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
            assertThat(e.partition()).isZero();
            assertThat(e.getMessage()).contains("PostgreSQL table " + prefix + "partitions, job 'over', partition 0")
                    .contains((LIMIT + 1) + " bytes", "limit of " + LIMIT, "JobOptions.withMaxCheckpointBytes");
        });
        assertThat(afterFirstChunk[0]).as("items 0..3 were checkpointed at exactly the limit").isNotNull();
        assertThat(row("over")).as("the row is the first chunk's checkpoint").isEqualTo(afterFirstChunk[0]);
        assertThat(Pg.count("SELECT next_item FROM " + prefix + "partitions WHERE job_id = 'over'")).isEqualTo(4);
        assertThat(Fixtures.rows(prefix)).as("the second chunk's writes rolled back").isEqualTo(4);
        assertThat(outputRows("over")).as("the second chunk's output rolled back").isEqualTo(4);
        assertThat(Pg.count("SELECT count(*) FROM " + prefix + "partitions WHERE job_id = 'over' AND lease_owner "
                + "IS NULL")).as("the lease was released").isEqualTo(1);

        // the limit raised, as the message says: the partition continues from its checkpoint
        job("over", new Padded(""), 2 * LIMIT).work("w2");
        assertThat(Fixtures.distinct(prefix)).isEqualTo(N);
        assertThat(Fixtures.duplicates(prefix)).isZero();
        assertThat(outputRows("over")).isEqualTo(N);
    }

    @Test
    @DisplayName("J2 negative control: a checkpoint of exactly maxCheckpointBytes is written, read and resumed from")
    void aStateAtTheLimit_isWrittenAndReadBack() throws Exception {
        CancellationSource source = CancellationSource.create();
        int[] checkpoints = {0};
        ClusterJob<Long, Padded> sized = job("at", new Padded(""), LIMIT);
        ClusterJob<Long, Padded> job = job("at", padFor(sized, LIMIT - 1), LIMIT, p -> {
            if (p.event() == Progress.Event.CHECKPOINT && ++checkpoints[0] == 2) {
                source.cancel("stop after items 4..7");
            }
        });
        job.submit();
        assertThatThrownBy(() -> source.call(() -> job.work("w"))).isInstanceOf(CancelledException.class);
        assertThat(rowBytes("at")).as("items 4..7 checkpointed, the state grown to the limit").isEqualTo(LIMIT);
        job.work("w2"); // claims and reads the row of exactly the limit
        assertThat(Fixtures.distinct(prefix)).isEqualTo(N);
        assertThat(Fixtures.duplicates(prefix)).isZero();
        PartitionCheckpoint<Padded> end = PartitionCodec.decode("t", row("at"), job.shape(0), N, Padded.class);
        assertThat(end.state()).isEqualTo(new Padded(padFor(sized, LIMIT - 1).pad() + "y"));
    }

    @Test
    @DisplayName("J2: a row over maxCheckpointBytes is refused before its text is read, with the limit and how to raise it")
    void aRowOverTheLimit_isRefusedUnread() throws Exception {
        ClusterJob<Long, Padded> job = job("big", new Padded(""), LIMIT);
        job.submit();
        // an honest checkpoint, one byte over: only its size is wrong
        String honest = PartitionCodec.encode(job.shape(0).advance(0, 0, padFor(job, LIMIT + 1)));
        forge("big", honest);
        assertThatThrownBy(() -> job.work("w")).isInstanceOfSatisfying(PartitionCheckpointException.class, e -> {
            assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
            assertThat(e.partition()).isZero();
            assertThat(e.getMessage()).contains("PostgreSQL table " + prefix + "partitions, job 'big', partition 0")
                    .contains((LIMIT + 1) + " bytes", "limit of " + LIMIT, "JobOptions.withMaxCheckpointBytes");
        });
        assertThat(row("big")).as("left as it was").isEqualTo(honest);
        assertThat(Fixtures.rows(prefix)).as("nothing processed").isZero();

        // not JSON at all, and over the limit: refused for its size, so its content was not looked at
        String garbage = "#".repeat(LIMIT + 1);
        forge("big", garbage);
        assertThatThrownBy(() -> job.work("w")).isInstanceOfSatisfying(PartitionCheckpointException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE));
        assertThat(row("big")).isEqualTo(garbage);
        assertThat(Fixtures.rows(prefix)).isZero();
    }

    @Test
    @DisplayName("J2: the server does not send a checkpoint over the limit to the claiming worker, only its size")
    void aRowOverTheLimit_isNotFetched() throws Exception {
        for (String id : new String[] {"withheld", "sent"}) {
            ClusterJob<Long, Padded> job = job(id, new Padded(""), LIMIT);
            job.submit();
            forge(id, PartitionCodec.encode(job.shape(0).advance(0, 0, padFor(job, LIMIT + 1))));
        }
        try (var c = Pg.dataSource().getConnection()) {
            Claims.Claimed over = Claims.claim(c, db.tables(), "withheld", "w", Duration.ofMinutes(1), LIMIT);
            assertThat(over).isNotNull();
            assertThat(over.checkpoint()).isNull();
            assertThat(over.checkpointBytes()).isEqualTo(LIMIT + 1);
            // negative control: within the limit, the same row is sent
            Claims.Claimed within = Claims.claim(c, db.tables(), "sent", "w", Duration.ofMinutes(1), LIMIT + 1);
            assertThat(within).isNotNull();
            assertThat(within.checkpoint()).isEqualTo(row("sent"));
            assertThat(within.checkpointBytes()).isEqualTo(LIMIT + 1);
        }
    }

    @Test
    @DisplayName("J2 negative control: a row of exactly maxCheckpointBytes is read and the job resumes from it")
    void aRowAtTheLimit_isRead() throws Exception {
        ClusterJob<Long, Padded> job = job("fits", new Padded(""), LIMIT, -1, p -> { }); // the state keeps its size
        job.submit();
        Padded padded = padFor(job, LIMIT);
        forge("fits", PartitionCodec.encode(job.shape(0).advance(0, 0, padded)));
        assertThat(rowBytes("fits")).isEqualTo(LIMIT);
        job.work("w");
        assertThat(Fixtures.distinct(prefix)).isEqualTo(N);
        PartitionCheckpoint<Padded> end = PartitionCodec.decode("t", row("fits"), job.shape(0), N, Padded.class);
        assertThat(end.state()).isEqualTo(padded);
    }

    @Test
    @DisplayName("J2: a state with a number past the JSON reader's limit fails its chunk as TOO_LARGE, nothing committed")
    void aStateOverTheReadersLimit_isTooLargeOnWrite() throws Exception {
        String insert = "INSERT INTO " + Fixtures.sink(prefix) + " (item, worker) VALUES (?, ?)";
        BigInteger big = BigInteger.TEN.pow(1000); // 1001 digits
        ClusterJob<Long, Huge> job = ClusterJob.create(db, "huge", Fixtures.items(N), 1, Huge.class,
                new Huge(BigInteger.ONE), (ClusterItemProcessor<Long, Huge>) (index, item, state, out, tx) -> {
                    tx.update(insert, item, "w");
                    return index == 2 ? new Huge(big) : state;
                }).withOptions(ClusterOptions.defaults().withJob(JobOptions.defaults().withCheckpointEveryItems(4)));
        job.submit();
        String before = row("huge");
        assertThatThrownBy(() -> job.work("w")).isInstanceOfSatisfying(PartitionCheckpointException.class, e -> {
            assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
            assertThat(e.getMessage()).contains("1000 digits", "JobOptions.withMaxCheckpointBytes");
        });
        assertThat(row("huge")).isEqualTo(before);
        assertThat(Fixtures.rows(prefix)).isZero();
    }

    @Test
    @DisplayName("J2: an item failing in a chunk whose done items are over the limit: ItemFailedException, nothing committed")
    void anItemFailingAfterAnOverLimitState_commitsNothing() throws Exception {
        String insert = "INSERT INTO " + Fixtures.sink(prefix) + " (item, worker) VALUES (?, ?)";
        ClusterJob<Long, Padded> job = ClusterJob.create(db, "fails", Fixtures.items(N), 1, Padded.class,
                new Padded(""), (ClusterItemProcessor<Long, Padded>) (index, item, state, out, tx) -> {
                    tx.update(insert, item, "w");
                    out.println("item " + index);
                    if (index == 2) {
                        throw new IllegalStateException("item 2 fails");
                    }
                    return new Padded("x".repeat(LIMIT));
                }).withOptions(ClusterOptions.defaults().withJob(JobOptions.defaults().withCheckpointEveryItems(4)
                .withMaxCheckpointBytes(LIMIT)));
        job.submit();
        String before = row("fails");
        assertThatThrownBy(() -> job.work("w")).isInstanceOfSatisfying(ItemFailedException.class, e -> {
            assertThat(e.getCause()).hasMessage("item 2 fails");
            assertThat(e.getCause().getSuppressed()).singleElement().isInstanceOfSatisfying(
                    PartitionCheckpointException.class, s -> assertThat(s.problem()).isEqualTo(Problem.TOO_LARGE));
        });
        assertThat(row("fails")).isEqualTo(before);
        assertThat(Fixtures.rows(prefix)).as("items 0 and 1 rolled back with the refused checkpoint").isZero();
        assertThat(outputRows("fails")).isZero();
    }

    @Test
    @DisplayName("J2: a submit whose initial state is over the limit is refused and creates nothing; at the limit it is created")
    void anInitialStateOverTheLimit_isRefusedBySubmit() throws Exception {
        ClusterJob<Long, Padded> sized = job("initial", new Padded(""), LIMIT);
        assertThatThrownBy(() -> job("initial", padFor(sized, LIMIT + 1), LIMIT).submit())
                .isInstanceOfSatisfying(PartitionCheckpointException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE));
        assertThat(Pg.count("SELECT count(*) FROM " + prefix + "jobs")).isZero();
        assertThat(Pg.count("SELECT count(*) FROM " + prefix + "partitions")).isZero();
        assertThat(job("initial", padFor(sized, LIMIT), LIMIT).submit()).as("negative control").isTrue();
    }
}
