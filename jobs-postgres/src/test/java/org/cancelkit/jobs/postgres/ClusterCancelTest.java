package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.cancelkit.jdbc.SqlTransaction;
import org.cancelkit.jobs.Job;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.cancelkit.testkit.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * J6 across processes: four worker JVMs share a 16-partition job; another JVM ({@link CancelMain})
 * cancels it. Every worker's token sees the cancel within 1 s of the request (each prints the moment
 * its token's callback ran; the same machine's clock); each commits its done items, releases its lease
 * and exits cancelled. Then, from the database: every partition's rows are exactly its checkpointed
 * items, no lease is held; the job is reopened, one worker resumes it, and every item is there once.
 *
 * <p>What brings the cancel: three workers LISTEN and poll the cancel flag only every
 * {@link #LISTENER_POLL} (once when they start, long before the cancel, then not again within the test),
 * and take no new claim while they hold their partitions (hold=120), so within 1 s only the notification
 * can reach them. The fourth does not LISTEN and polls every 250 ms: the polling fallback alone, when
 * notifications are lost. The negative control of the first three is
 * {@code CancelAndDrainTest.withoutListenOrPollNothingArrives}: without LISTEN and with a long poll, the
 * cancel does not arrive within the bound.
 */
class ClusterCancelTest {
    /** This module, jobs and jdbc, for the child JVM's class path (the core is always there). */
    private static final List<Class<?>> CHILD_CLASSES = List.of(ClusterJob.class, Job.class, SqlTransaction.class);

    private static final int N = 4_000;
    private static final int PARTITIONS = 16;
    /** The listening workers' poll: far above the 1 s bound and the test's length. */
    private static final long LISTENER_POLL = 600_000;
    private final String prefix = Pg.freshPrefix();

    @TempDir
    Path logs;

    @AfterEach
    void drop() throws SQLException {
        Pg.drop(prefix);
    }

    @Test
    @DisplayName("J6: a cancel from another process reaches all four workers within 1 s, three by NOTIFY and one by "
            + "polling alone; consistent; resumes exactly")
    void cancelFromAnotherProcess() throws Exception {
        JobDatabase db = Fixtures.migratedWithSink(prefix);
        ClusterJob.create(db, "cancel", Fixtures.items(N), PARTITIONS, Tally.class, Tally.ZERO,
                Fixtures.processor(prefix, "controller", true)).submit();
        List<ChildJvm> workers = new ArrayList<>();
        try {
            for (int w = 0; w < 3; w++) { // the job cannot end before the cancel; only NOTIFY brings it within 1 s
                workers.add(worker("w" + w, 200, "hold=120", "poll=" + LISTENER_POLL));
            }
            workers.add(worker("polling", 200, "hold=120", "nolisten", "poll=250")); // notifications lost
            for (ChildJvm w : workers) {
                assertThat(w.awaitOrEnd("CP")).as("every worker works; stderr: %s", w.stderr()).isNotNull();
            }
            long sent;
            try (ChildJvm canceller = ChildJvm.start(logs, CancelMain.class, CHILD_CLASSES, prefix, "cancel", "2000")) {
                String line = canceller.awaitOrEnd("SENT");
                assertThat(line).as("stderr: %s", canceller.stderr()).endsWith(" true");
                sent = Long.parseLong(line.split(" ")[1]);
                assertThat(canceller.waitFor()).isZero();
            }
            for (ChildJvm w : workers) {
                String seen = w.awaitOrEnd("SEEN");
                assertThat(seen).as("stderr: %s", w.stderr()).isNotNull();
                long delay = Long.parseLong(seen.split(" ")[1]) - sent;
                System.out.println("cluster cancel: a worker's token saw it " + delay + " ms after the request ("
                        + (workers.indexOf(w) < 3 ? "LISTEN, poll every " + LISTENER_POLL + " ms" : "no LISTEN, poll "
                        + "every 250 ms") + ")");
                assertThat(delay).as("from the request to the worker's token").isLessThan(1_000);
                assertThat(w.awaitOrEnd("CANCELLED")).isNotNull();
                assertThat(w.waitFor()).isEqualTo(3);
            }
        } finally {
            workers.forEach(ChildJvm::close);
        }
        ClusterStatus stopped = db.status("cancel");
        assertThat(stopped.cancelReason()).isEqualTo("cancelled from another process");
        assertThat(stopped.doneItems()).isBetween(1L, N - 1L);
        for (ClusterStatus.PartitionStatus p : stopped.partitions()) {
            assertThat(p.owner() == null || p.completed()).as("partition %d released", p.partition()).isTrue();
            assertThat(Pg.count("SELECT count(*) FROM " + prefix + "sink WHERE item >= ? AND item < ?", p.firstItem(),
                    p.endItem())).as("partition %d: rows = its checkpointed items", p.partition())
                    .isEqualTo(p.nextItem() - p.firstItem());
        }
        assertThat(Fixtures.duplicates(prefix)).isZero();
        try (ChildJvm late = worker("late", 0)) { // still cancelled: a new worker stops at once
            assertThat(late.waitFor()).isEqualTo(3);
        }
        assertThat(db.reopen("cancel")).isTrue();
        try (ChildJvm resumed = worker("resumed", 0)) {
            assertThat(resumed.awaitOrEnd("DONE")).as("stderr: %s", resumed.stderr()).isNotNull();
            assertThat(resumed.waitFor()).isZero();
        }
        assertThat(Fixtures.duplicates(prefix)).isZero();
        assertThat(Fixtures.distinct(prefix)).isEqualTo(N);
        assertThat(Pg.count("SELECT count(*) FROM " + prefix + "output")).isEqualTo(N);
    }

    private ChildJvm worker(String id, long pauseMicros, String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of(prefix, "cancel", Integer.toString(N), Integer.toString(PARTITIONS),
                "5000", "50", Long.toString(pauseMicros), id));
        args.addAll(List.of(flags));
        return ChildJvm.start(logs, WorkerMain.class, CHILD_CLASSES, args.toArray(String[]::new));
    }
}
