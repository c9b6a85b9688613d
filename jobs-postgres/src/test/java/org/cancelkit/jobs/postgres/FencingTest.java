package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.cancelkit.jobs.postgres.internal.Seams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * J5 in one process, in ordered steps: worker A stalls inside item 15 (chunk 10..19 open, items 0..9
 * committed); its lease expires on the server's clock (the test moves the row's expiry into the past,
 * as a long stall would); worker B takes the partition over from item 10 and completes it; A wakes up
 * and reaches its commit. The fence refuses it: {@link LeaseLostException} naming the epochs and the
 * holder, nothing of A's chunk written, every item exactly once.
 *
 * <p>Negative controls: without the fence A's commit goes through, items 10..19 (and more) are written twice;
 * without the lease check in the claim (and without the fence) B takes A's live partition and items are
 * written twice. With the lease check off but the fence on, the fence alone still keeps them once.
 */
class FencingTest {
    private static final int N = 40;
    private final String prefix = Pg.freshPrefix();
    private JobDatabase db;

    @BeforeEach
    void setUp() throws Exception {
        db = Fixtures.migratedWithSink(prefix);
    }

    @AfterEach
    void tearDown() throws SQLException {
        Seams.fencing = true;
        Seams.leaseCheck = true;
        Pg.drop(prefix);
    }

    @Test
    @DisplayName("J5: a worker that wakes after its lease was taken over cannot commit: refused, nothing written")
    void stalledWorkerIsFenced() throws Exception {
        Throwable a = stallAndTakeOver(true);
        assertThat(a).isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("partition 0").hasMessageContaining("worker 'A', epoch 1")
                .hasMessageContaining("now held by worker 'B' (epoch 2, partition completed)")
                .hasMessageContaining("(items 10..19) was written");
        assertThat(Fixtures.duplicates(prefix)).isZero();
        assertThat(Fixtures.distinct(prefix)).isEqualTo(N);
        assertThat(Pg.count("SELECT count(*) FROM " + prefix + "sink WHERE worker = 'A'"))
                .as("A's rows: only the chunk it committed before it stalled").isEqualTo(10);
        assertThat(Pg.count("SELECT count(*) FROM " + prefix + "output")).isEqualTo(N);
    }

    @Test
    @DisplayName("J5 negative control: without the fence, the woken worker's commit duplicates items 10..19")
    void withoutFencingDuplicates() throws Exception {
        Seams.fencing = false;
        Throwable a = stallAndTakeOver(true);
        assertThat(a).as("A's commit went through").isNull();
        // its commit even moved the completed partition back to item 20, and A redid 20..39 too
        assertThat(Fixtures.duplicates(prefix)).isGreaterThanOrEqualTo(10);
    }

    @Test
    @DisplayName("J5 negative control: without the lease check and the fence, a live partition is taken and duplicated")
    void withoutLeaseCheckDuplicates() throws Exception {
        Seams.leaseCheck = false;
        Seams.fencing = false;
        stallAndTakeOver(false);
        assertThat(Fixtures.duplicates(prefix)).isGreaterThanOrEqualTo(10);
    }

    @Test
    @DisplayName("J5: without the lease check, the fence alone still refuses the worker whose partition was taken")
    void fenceAloneSuffices() throws Exception {
        Seams.leaseCheck = false;
        assertThat(stallAndTakeOver(false)).isInstanceOf(LeaseLostException.class);
        assertThat(Fixtures.duplicates(prefix)).isZero();
        assertThat(Fixtures.distinct(prefix)).isEqualTo(N);
    }

    /**
     * Runs the steps; returns what A's work() threw (null when it returned). The negative controls
     * write no {@code ItemOutput}: the output table's primary key (job, partition, item) would refuse a
     * duplicate by itself, and the sink shows what the fence alone prevents.
     */
    private Throwable stallAndTakeOver(boolean expire) throws Exception {
        boolean output = Seams.fencing;
        CountDownLatch inItem15 = new CountDownLatch(1);
        CountDownLatch wake = new CountDownLatch(1);
        ClusterItemProcessor<Long, Tally> stalling = (index, item, tally, out, tx) -> {
            Tally t = Fixtures.processor(prefix, "A", output).process(index, item, tally, out, tx);
            if (index == 15) {
                inItem15.countDown();
                if (!wake.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never woke worker A");
                }
            }
            return t;
        };
        ClusterJob<Long, Tally> a = job(stalling);
        a.submit();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = Thread.ofVirtual().name("worker-A").start(() -> {
            try {
                a.work("A");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        assertThat(inItem15.await(60, TimeUnit.SECONDS)).as("A reached item 15").isTrue();
        assertThat(db.status("fence").partitions().getFirst().nextItem()).as("A committed 0..9").isEqualTo(10);
        if (expire) { // what a stall longer than the lease does, on the server's clock
            Pg.update("UPDATE " + prefix + "partitions SET lease_expires_at = now() - interval '1 second' WHERE job_id "
                    + "= 'fence'");
        }
        WorkerReport b = job(Fixtures.processor(prefix, "B", output)).work("B");
        assertThat(b.partitionsCompleted()).isEqualTo(1);
        assertThat(b.takeovers()).isEqualTo(1);
        wake.countDown();
        worker.join(Duration.ofSeconds(60));
        assertThat(worker.isAlive()).isFalse();
        return failure.get();
    }

    private ClusterJob<Long, Tally> job(ClusterItemProcessor<Long, Tally> p) {
        // a long lease: no renewal falls inside the test's steps, so only the steps decide who holds it
        return ClusterJob.create(db, "fence", Fixtures.items(N), 1, Tally.class, Tally.ZERO, p)
                .withOptions(ClusterOptions.defaults().withLease(Duration.ofSeconds(60))
                        .withJob(JobOptions.defaults().withCheckpointEveryItems(10)));
    }
}
