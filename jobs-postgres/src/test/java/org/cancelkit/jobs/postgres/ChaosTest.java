package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.cancelkit.jdbc.SqlTransaction;
import org.cancelkit.jobs.Job;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.cancelkit.testkit.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * J1 and J4 with real crashes: three worker JVMs ({@link WorkerMain}) share a job of 16 partitions; a
 * controller kills a random one with SIGKILL every 0.5–2 s and starts a new one. A killed worker's open
 * chunk dies with its session; its partition is taken over from its last checkpoint when its lease
 * expires. When the job completes before the kills are done, the next job (with tables of its own)
 * takes the rest. Checked from the database at the end of each job: every item's sink row and output
 * row exactly once (0 lost, 0 duplicated), every partition complete, every surviving worker done.
 *
 * <p>Negative control: with the claim's lease check and the fence both off, workers take partitions
 * that others hold, and the same check finds duplicated rows.
 */
class ChaosTest {
    /** This module, jobs and jdbc, for the child JVM's class path (the core is always there). */
    private static final List<Class<?>> CHILD_CLASSES = List.of(ClusterJob.class, Job.class, SqlTransaction.class);

    private static final long SEED = Long.getLong("cancelkit.seed", System.nanoTime());
    private static final int PARTITIONS = 16;
    private static final long LEASE_MS = 2_000;
    private final List<String> prefixes = new ArrayList<>();

    @TempDir
    Path logs;

    @AfterEach
    void drop() throws SQLException {
        for (String p : prefixes) {
            Pg.drop(p);
        }
    }

    @Test
    @DisplayName("J1 J4: 3 worker JVMs, 16 partitions, 10 kill -9 of a random worker: every item exactly once")
    void tenKills() throws Exception {
        run(10, 8_000, 1_000);
    }

    @Test
    @Tag("stress")
    @DisplayName("J1 J4 (stress): 3 worker JVMs, 16 partitions, 200 kill -9 of a random worker: every item exactly once")
    void twoHundredKills() throws Exception {
        run(200, 100_000, 1_000);
    }

    @Test
    @DisplayName("J4 negative control: without the lease check and the fence, 3 workers write items twice")
    void withoutLeasesDuplicates() throws Exception {
        String prefix = newTables();
        String id = "unleased";
        submit(prefix, id, 3_000);
        List<ChildJvm> workers = new ArrayList<>();
        try {
            for (int w = 0; w < 3; w++) {
                workers.add(start(prefix, id, 3_000, 1_000, "w" + w, "noleasecheck", "nofence", "nooutput"));
            }
            for (ChildJvm w : workers) {
                String last = null;
                for (String line; (line = w.readLine()) != null; ) {
                    last = line;
                }
                System.out.printf("negative control: a worker ended with status %d: %s%n", w.waitFor(), last);
            }
        } finally {
            workers.forEach(ChildJvm::close);
        }
        long dup = Fixtures.duplicates(prefix);
        System.out.printf("negative control: %d duplicated rows of 3000 items (seed %d)%n", dup, SEED);
        assertThat(dup).isPositive();
    }

    private void run(int kills, int n, long pauseMicros) throws Exception {
        Random rnd = new Random(SEED);
        int killed = 0;
        int jobs = 0;
        int leaseLost = 0;
        long t0 = System.nanoTime();
        while (killed < kills || jobs == 0) {
            String prefix = newTables();
            String id = "chaos-" + jobs++;
            JobDatabase db = submit(prefix, id, n);
            List<ChildJvm> workers = new ArrayList<>();
            int started = 0;
            try {
                for (; started < 3; started++) {
                    workers.add(start(prefix, id, n, pauseMicros, "w" + started));
                }
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (!db.status(id).isComplete()) {
                    assertThat(System.nanoTime()).as("seed %d: job %s still running after 10 minutes", SEED, id)
                            .isLessThan(deadline);
                    if (killed < kills) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500 + rnd.nextInt(1_500)));
                        if (db.status(id).isComplete()) {
                            break;
                        }
                        ChildJvm victim = workers.get(rnd.nextInt(workers.size()));
                        victim.kill();
                        workers.remove(victim);
                        killed++;
                        workers.add(start(prefix, id, n, pauseMicros, "w" + started++));
                    } else {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                    }
                    for (ChildJvm w : List.copyOf(workers)) { // a worker that lost a lease (starved) is replaced
                        if (!w.isAlive() && w.waitFor() == 4) {
                            leaseLost++;
                            workers.remove(w);
                            workers.add(start(prefix, id, n, pauseMicros, "w" + started++));
                        }
                    }
                }
                for (ChildJvm w : workers) {
                    int status = w.waitFor();
                    assertThat(status).as("seed %d: a surviving worker ends done (4: lost a lease); stderr: %s", SEED,
                            w.stderr()).isIn(0, 4);
                }
            } finally {
                workers.forEach(ChildJvm::close);
            }
            assertThat(Fixtures.duplicates(prefix)).as("seed %d, job %s: duplicated items", SEED, id).isZero();
            assertThat(Fixtures.distinct(prefix)).as("seed %d, job %s: items written", SEED, id).isEqualTo(n);
            assertThat(Pg.count("SELECT count(*) FROM " + prefix + "output")).as("output rows").isEqualTo(n);
            assertThat(db.status(id).doneItems()).isEqualTo(n);
        }
        System.out.printf("chaos: %d kill -9 over %d job(s) of %d items in %d partitions, %d workers fenced after a "
                + "stall, in %.1f s; 0 lost, 0 duplicated (seed %d)%n", killed, jobs, n, PARTITIONS, leaseLost,
                (System.nanoTime() - t0) / 1e9, SEED);
    }

    private String newTables() throws SQLException {
        String prefix = Pg.freshPrefix();
        prefixes.add(prefix);
        Fixtures.migratedWithSink(prefix);
        return prefix;
    }

    private static JobDatabase submit(String prefix, String id, int n) throws Exception {
        JobDatabase db = JobDatabase.of(Pg.dataSource(), prefix);
        ClusterJob.create(db, id, Fixtures.items(n), PARTITIONS, Tally.class, Tally.ZERO,
                Fixtures.processor(prefix, "controller", true)).submit();
        return db;
    }

    private ChildJvm start(String prefix, String id, int n, long pauseMicros, String worker, String... flags)
            throws Exception {
        List<String> args = new ArrayList<>(List.of(prefix, id, Integer.toString(n), Integer.toString(PARTITIONS),
                Long.toString(LEASE_MS), "50", Long.toString(pauseMicros), worker));
        args.addAll(List.of(flags));
        return ChildJvm.start(logs, WorkerMain.class, CHILD_CLASSES, args.toArray(String[]::new));
    }
}
