package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.cancelkit.jobs.postgres.internal.Seams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * J6 in one process, two workers on threads: the polling fallback alone (LISTEN off) still brings a
 * cancel within 1 s, and its negative control (LISTEN off, a 30 s poll) does not, which proves the
 * bound is measured; a local drain (the worker's own token cancelled) commits the done items and
 * releases the leases at once, so another worker continues without waiting for them to expire.
 */
class CancelAndDrainTest {
    private static final int N = 1_500;
    private final String prefix = Pg.freshPrefix();
    private JobDatabase db;

    @BeforeEach
    void setUp() throws Exception {
        db = Fixtures.migratedWithSink(prefix);
    }

    @AfterEach
    void tearDown() throws SQLException {
        Seams.listen = true;
        Pg.drop(prefix);
    }

    @Test
    @DisplayName("J6: without LISTEN, polling every 200 ms brings the cancel to both workers within 1 s")
    void pollingFallback() throws Exception {
        Seams.listen = false;
        Running r = start("poll", Duration.ofMillis(200));
        long sent = System.nanoTime();
        assertThat(db.cancel("poll", "test", Duration.ofSeconds(1))).isTrue();
        for (Long seen : r.awaitSeen(2, Duration.ofSeconds(5))) {
            assertThat(TimeUnit.NANOSECONDS.toMillis(seen - sent)).as("ms from the request").isLessThan(1_000);
        }
        r.join();
        assertThat(r.failures).allMatch(CancelledException.class::isInstance);
        assertThat(db.status("poll").partitions()).allMatch(p -> p.owner() == null || p.completed());
    }

    @Test
    @DisplayName("J6 negative control: without LISTEN and with a 30 s poll, the cancel does not arrive within 1 s")
    void withoutListenOrPollNothingArrives() throws Exception {
        Seams.listen = false;
        Running r = start("slow", Duration.ofSeconds(30));
        assertThat(db.cancel("slow", "test", Duration.ofSeconds(1))).isTrue();
        assertThat(r.awaitSeen(1, Duration.ofMillis(1_500))).as("seen within 1.5 s").isEmpty();
        r.source.cancel("test: end the negative control");
        r.join();
    }

    @Test
    @DisplayName("J6 drain: a worker whose own token is cancelled commits, releases its leases; another takes over at once")
    void drainReleasesLeases() throws Exception {
        Running r = start("drain", Duration.ofMillis(500));
        r.awaitSeenWork();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (db.status("drain").doneItems() < 100) { // some chunks committed: the drain keeps them
            assertThat(System.nanoTime()).isLessThan(end);
            Thread.sleep(20);
        }
        r.source.cancel(org.cancelkit.CancelReason.shutdown("test: drain"), Duration.ofSeconds(1));
        r.join();
        assertThat(r.failures).hasSize(2).allMatch(CancelledException.class::isInstance);
        ClusterStatus s = db.status("drain");
        assertThat(s.partitions()).as("leases released at once, none left to expire")
                .allMatch(p -> p.owner() == null || p.completed());
        assertThat(s.doneItems()).isPositive();
        ClusterJob<Long, Tally> next = job("drain", Duration.ofMillis(500), 0);
        WorkerReport w = next.work("next");
        assertThat(w.takeovers()).as("released partitions are no takeovers").isZero();
        assertThat(Fixtures.duplicates(prefix)).isZero();
        assertThat(Fixtures.distinct(prefix)).isEqualTo(N);
    }

    @Test
    @DisplayName("J6: a worker started after the cancel claims no partition and runs no item, even before its "
            + "coordinator has read the cancel")
    void workerStartedAfterTheCancelStopsAtOnce() throws Exception {
        CountDownLatch itemRan = new CountDownLatch(1);
        DataSource real = Pg.dataSource();
        // ordered steps: the coordinator gets its connection only once an item has run (never, when the worker
        // stops at once: closing the coordinator interrupts its wait)
        DataSource gated = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (self, method, args) -> {
                    if (method.getName().equals("getConnection")
                            && Thread.currentThread().getName().endsWith("-coordinator")) {
                        try {
                            itemRan.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt(); // the coordinator is being closed: its loop ends on it
                            throw new SQLException("interrupted while waiting for the test's step", e);
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        ClusterJob<Long, Tally> job = ClusterJob.create(JobDatabase.of(gated, prefix), "late", Fixtures.items(N), 4,
                Tally.class, Tally.ZERO, (ClusterItemProcessor<Long, Tally>) (index, item, tally, out, tx) -> {
                    itemRan.countDown();
                    return Fixtures.processor(prefix, "late", true).process(index, item, tally, out, tx);
                });
        job.submit();
        assertThat(db.cancel("late", "test: cancelled before the worker starts", Duration.ofSeconds(1))).isTrue();
        assertThatThrownBy(() -> job.work("late")).isInstanceOf(CancelledException.class)
                .hasMessageContaining("job 'late' was cancelled: test: cancelled before the worker starts");
        assertThat(itemRan.getCount()).as("items run").isOne();
        assertThat(Fixtures.rows(prefix)).as("rows written").isZero();
        assertThat(db.status("late").partitions()).as("no partition claimed").allMatch(p -> p.epoch() == 0);
    }

    private ClusterJob<Long, Tally> job(String id, Duration poll, long pauseMillis) {
        ClusterItemProcessor<Long, Tally> body = Fixtures.processor(prefix, "w", true);
        return ClusterJob.create(db, id, Fixtures.items(N), 4, Tally.class, Tally.ZERO,
                (ClusterItemProcessor<Long, Tally>) (index, item, tally, out, tx) -> {
                    Tally t = body.process(index, item, tally, out, tx);
                    if (pauseMillis > 0) {
                        Cancellation.sleep(Duration.ofMillis(pauseMillis));
                    }
                    return t;
                }).withOptions(ClusterOptions.defaults().withPollEvery(poll).withLease(Duration.ofSeconds(30))
                        .withJob(JobOptions.defaults().withCheckpointEveryItems(20)));
    }

    /** Two workers on virtual threads under one source; each records when its partition token was cancelled. */
    private final class Running {
        final CancellationSource source = CancellationSource.create();
        final ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final CountDownLatch working = new CountDownLatch(2);
        final List<Thread> threads = new ArrayList<>();

        List<Long> awaitSeen(int count, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (seen.size() < count && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            return List.copyOf(seen);
        }

        void awaitSeenWork() throws InterruptedException {
            assertThat(working.await(30, TimeUnit.SECONDS)).isTrue();
        }

        void join() throws InterruptedException {
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(30));
                assertThat(t.isAlive()).isFalse();
            }
        }
    }

    private Running start(String id, Duration poll) throws Exception {
        Running r = new Running();
        ClusterJob<Long, Tally> base = job(id, poll, 2);
        base.submit();
        for (int w = 0; w < 2; w++) {
            String name = "w" + w;
            boolean[] registered = {false};
            ClusterJob<Long, Tally> job = ClusterJob.create(db, id, Fixtures.items(N), 4, Tally.class, Tally.ZERO,
                    (ClusterItemProcessor<Long, Tally>) (index, item, tally, out, tx) -> {
                        if (!registered[0]) {
                            registered[0] = true;
                            CancellationToken token = Cancellation.current();
                            token.onCancel(() -> {
                                if (token.reason().map(x -> x.message().contains("was cancelled")).orElse(false)) {
                                    r.seen.add(System.nanoTime());
                                }
                            });
                            r.working.countDown();
                        }
                        Tally t = Fixtures.processor(prefix, name, true).process(index, item, tally, out, tx);
                        Cancellation.sleep(Duration.ofMillis(2));
                        return t;
                    }).withOptions(base.options());
            r.threads.add(Thread.ofVirtual().start(() -> {
                try {
                    r.source.call(() -> job.work(name));
                } catch (Throwable t) {
                    r.failures.add(t);
                }
            }));
        }
        r.awaitSeenWork();
        return r;
    }
}
