package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.Random;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.jobs.ItemFailedException;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * J1 and J4 in one process: the items' writes, their output rows and the checkpoint commit together,
 * so a stop anywhere (a cancel between items, a cancel inside an item, a failing item, a commit the
 * server refuses) leaves each partition exactly at its checkpoint, and a resume writes every item once.
 * Checked from the database after every stop: per partition, the sink and output rows are exactly the
 * checkpointed items.
 */
class ExactlyOnceTest {
    private static final long SEED = Long.getLong("cancelkit.seed", System.nanoTime());
    private static final int N = 60;
    private static final int PARTS = 3;
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

    private ClusterJob<Long, Tally> job(String id, ClusterItemProcessor<Long, Tally> p) {
        return ClusterJob.create(db, id, Fixtures.items(N), PARTS, Tally.class, Tally.ZERO, p)
                .withOptions(ClusterOptions.defaults().withJob(JobOptions.defaults().withCheckpointEveryItems(7)));
    }

    @Test
    @DisplayName("J1 J4: one worker runs the job: every item's row and output exactly once, every partition complete")
    void wholeJob() throws Exception {
        ClusterJob<Long, Tally> job = job("whole", Fixtures.processor(prefix, "w", true));
        assertThat(job.submit()).isTrue();
        assertThat(job.submit()).isFalse(); // idempotent
        WorkerReport r = job.work("w");
        assertThat(r.partitionsCompleted()).isEqualTo(PARTS);
        assertThat(r.itemsProcessed()).isEqualTo(N);
        assertExactlyOnce("whole");
        ClusterStatus s = db.status("whole");
        assertThat(s.isComplete()).isTrue();
        assertThat(s.doneItems()).isEqualTo(N);
        assertThat(s.render(20)).contains("complete").contains("[####################]");
    }

    @Test
    @DisplayName("J1 J4: cancelled after item k, for 6 random k: done items committed, lease released, resume exact")
    void cancelBetweenItems() throws Exception {
        Random rnd = new Random(SEED);
        for (int round = 0; round < 6; round++) {
            String id = "between-" + round;
            long k = rnd.nextInt(N);
            CancellationSource source = CancellationSource.create();
            ClusterJob<Long, Tally> job = job(id, (index, item, tally, out, tx) -> {
                Tally t = Fixtures.processor(prefix, "w", true).process(index, item, tally, out, tx);
                if (index == k) {
                    source.cancel("test: stop after item " + k);
                }
                return t;
            });
            job.submit();
            assertThatThrownBy(() -> source.call(() -> job.work("w"))).as("seed %d, k %d", SEED, k)
                    .isInstanceOf(CancelledException.class);
            assertConsistent(id);
            assertThat(Pg.count("SELECT count(*) FROM " + prefix + "sink WHERE item = ?", k)).as("item k committed")
                    .isEqualTo(1);
            assertThat(Pg.count("SELECT count(*) FROM " + prefix + "partitions WHERE job_id = ? AND lease_owner IS "
                    + "NOT NULL AND completed_at IS NULL", id)).as("leases released").isZero();
            job(id, Fixtures.processor(prefix, "w2", true)).work("w2");
            assertExactlyOnce(id);
            Pg.execute("DELETE FROM " + prefix + "sink");
        }
    }

    @Test
    @DisplayName("J1 J4: cancelled inside item k, after its write: the item is rolled back alone, the items before commit")
    void cancelInsideItem() throws Exception {
        Random rnd = new Random(SEED + 1);
        for (int round = 0; round < 5; round++) {
            String id = "inside-" + round;
            long k = rnd.nextInt(N);
            CancellationSource source = CancellationSource.create();
            ClusterJob<Long, Tally> job = job(id, (index, item, tally, out, tx) -> {
                Tally t = Fixtures.processor(prefix, "w", true).process(index, item, tally, out, tx);
                if (index == k) {
                    source.cancel("test: stop inside item " + k);
                    Cancellation.check();
                }
                return t;
            });
            job.submit();
            assertThatThrownBy(() -> source.call(() -> job.work("w"))).isInstanceOf(CancelledException.class);
            assertConsistent(id);
            assertThat(Pg.count("SELECT count(*) FROM " + prefix + "sink WHERE item = ?", k))
                    .as("seed %d: item %d rolled back to its savepoint", SEED, k).isZero();
            long p = k * PARTS / N;
            long first = p * N / PARTS;
            assertThat(Pg.count("SELECT next_item FROM " + prefix + "partitions WHERE job_id = ? AND partition = ?",
                    id, (int) p)).as("its partition stopped at it, the items before committed").isEqualTo(k);
            assertThat(k - first).isGreaterThanOrEqualTo(0);
            job(id, Fixtures.processor(prefix, "w2", true)).work("w2");
            assertExactlyOnce(id);
            Pg.execute("DELETE FROM " + prefix + "sink");
        }
    }

    @Test
    @DisplayName("J1 J4: cancelled at the start of item j, before its first statement, for j = 0..20 (every place in "
            + "a chunk): the items before it committed with their rows, item j not")
    void cancelBeforeAnItemsFirstStatement() throws Exception {
        for (int j = 0; j <= 20; j++) { // partition 0 is items 0..19 in chunks of 7; item 20 opens partition 1
            String id = "before-" + j;
            long k = j;
            CancellationSource source = CancellationSource.create();
            ClusterJob<Long, Tally> job = job(id, (index, item, tally, out, tx) -> {
                if (index == k) {
                    source.cancel("test: stop at the start of item " + k); // its first statement is not sent
                }
                return Fixtures.processor(prefix, "w", true).process(index, item, tally, out, tx);
            });
            job.submit();
            assertThatThrownBy(() -> source.call(() -> job.work("w"))).as("item %d", k)
                    .isInstanceOf(CancelledException.class);
            assertConsistent(id);
            long p = k * PARTS / N;
            assertThat(Pg.count("SELECT next_item FROM " + prefix + "partitions WHERE job_id = ? AND partition = ?",
                    id, (int) p)).as("its partition stopped at item %d, the items before it committed", k).isEqualTo(k);
            assertThat(Pg.count("SELECT count(*) FROM " + prefix + "sink WHERE item = ?", k - 1))
                    .as("the row of item %d, the one before the cancelled item", k - 1)
                    .isEqualTo(k > 0 ? 1 : 0); // one worker: the partitions before are complete
            job(id, Fixtures.processor(prefix, "w2", true)).work("w2");
            assertExactlyOnce(id);
            Pg.execute("DELETE FROM " + prefix + "sink");
        }
    }

    @Test
    @DisplayName("J4: the savepoint of item 4 fails on the server (item 3 broke the transaction and hid it): nothing "
            + "of the chunk commits, never item 3 counted without its row")
    void failedSavepointCommitsNothing() throws Exception {
        ClusterJob<Long, Tally> job = job("savepoint", (index, item, tally, out, tx) -> {
            Tally t = Fixtures.processor(prefix, "w", true).process(index, item, tally, out, tx);
            if (index == 3) {
                try {
                    tx.query("SELECT 1 / 0", r -> r.getInt(1)); // the server aborts the transaction
                } catch (SQLException hidden) {
                    // the item hides the failure: item 4's savepoint statement then fails on the server
                }
            }
            return t;
        });
        job.submit();
        assertThatThrownBy(() -> job.work("w")).isInstanceOf(ItemFailedException.class).hasMessageContaining("item 4");
        assertConsistent("savepoint");
        assertThat(db.status("savepoint").doneItems()).as("the chunk of items 0..6 did not commit").isZero();
        job("savepoint", Fixtures.processor(prefix, "w2", true)).work("w2");
        assertExactlyOnce("savepoint");
    }

    @Test
    @DisplayName("J1 J4: an item that throws after writing: ItemFailedException naming it, the items before committed")
    void failingItem() throws Exception {
        long k = 25;
        ClusterJob<Long, Tally> job = job("fail", (index, item, tally, out, tx) -> {
            Tally t = Fixtures.processor(prefix, "w", true).process(index, item, tally, out, tx);
            if (index == k) {
                throw new IllegalStateException("boom at " + k);
            }
            return t;
        });
        job.submit();
        assertThatThrownBy(() -> job.work("w")).isInstanceOf(ItemFailedException.class)
                .hasMessageContaining("item 25").hasRootCauseMessage("boom at 25");
        assertConsistent("fail");
        assertThat(Pg.count("SELECT count(*) FROM " + prefix + "sink WHERE item = 25")).isZero();
        assertThat(Pg.count("SELECT next_item FROM " + prefix + "partitions WHERE job_id = 'fail' AND partition = 1"))
                .isEqualTo(25);
        job("fail", Fixtures.processor(prefix, "w2", true)).work("w2");
        assertExactlyOnce("fail");
    }

    @Test
    @DisplayName("J4 atomic: a commit the server refuses (deferred constraint) writes nothing: no rows, no checkpoint")
    void refusedCommitWritesNothing() throws Exception {
        Pg.execute("CREATE TABLE " + prefix + "uniq (k int, CONSTRAINT " + prefix + "uniq_k UNIQUE (k) DEFERRABLE "
                + "INITIALLY DEFERRED)");
        ClusterJob<Long, Tally> job = job("refused", (index, item, tally, out, tx) -> {
            Tally t = Fixtures.processor(prefix, "w", true).process(index, item, tally, out, tx);
            if (index == 3 || index == 4) {
                tx.update("INSERT INTO " + prefix + "uniq (k) VALUES (1)"); // fails only at COMMIT
            }
            return t;
        });
        job.submit();
        assertThatThrownBy(() -> job.work("w")).isInstanceOf(SQLException.class);
        assertThat(Fixtures.rows(prefix)).as("the chunk's rows").isZero();
        assertThat(Pg.count("SELECT count(*) FROM " + prefix + "output")).as("the chunk's output").isZero();
        assertThat(db.status("refused").doneItems()).as("the checkpoint").isZero();
        assertConsistent("refused");
    }

    @Test
    @DisplayName("an item cannot commit the chunk's transaction itself (its writes would escape their checkpoint)")
    void itemCannotCommit() throws Exception {
        ClusterJob<Long, Tally> job = job("commit", (index, item, tally, out, tx) -> {
            Tally t = Fixtures.processor(prefix, "w", true).process(index, item, tally, out, tx);
            tx.commit();
            return t;
        });
        job.submit();
        assertThatThrownBy(() -> job.work("w")).isInstanceOf(ItemFailedException.class)
                .hasStackTraceContaining("must not commit");
        assertThat(Fixtures.rows(prefix)).isZero();
    }

    /** Per partition: sink rows and output rows are exactly the checkpointed items, each once. */
    private void assertConsistent(String id) throws SQLException {
        for (int p = 0; p < PARTS; p++) {
            long first = (long) p * N / PARTS;
            long end = (long) (p + 1) * N / PARTS;
            long next = Pg.count("SELECT next_item FROM " + prefix + "partitions WHERE job_id = ? AND partition = ?",
                    id, p);
            assertThat(Pg.count("SELECT count(*) FROM " + prefix + "sink WHERE item >= ? AND item < ?", first, next))
                    .as("partition %d: rows of its done items", p).isEqualTo(next - first);
            assertThat(Pg.count("SELECT count(*) FROM " + prefix + "sink WHERE item >= ? AND item < ?", next, end))
                    .as("partition %d: rows beyond its checkpoint", p).isZero();
            assertThat(Pg.count("SELECT count(*) FROM " + prefix + "output WHERE job_id = ? AND partition = ?", id, p))
                    .as("partition %d: output rows", p).isEqualTo(next - first);
        }
    }

    private void assertExactlyOnce(String id) throws SQLException {
        assertThat(Fixtures.rows(prefix)).isEqualTo(N);
        assertThat(Fixtures.distinct(prefix)).isEqualTo(N);
        assertThat(Pg.count("SELECT count(DISTINCT item) FROM " + prefix + "output WHERE job_id = ?", id)).isEqualTo(N);
        assertThat(db.status(id).isComplete()).isTrue();
    }
}
