package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.cancelkit.jdbc.SqlTransaction;
import org.cancelkit.jobs.Job;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.cancelkit.testkit.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * J5 with a real frozen process: worker A (a child JVM) is stopped with SIGSTOP in the middle of a chunk
 * (five items written in the chunk's open transaction), its TCP connections still open; its 2 s lease expires on the server; worker B (another
 * child JVM) takes the partition over and completes it; A is resumed with SIGCONT and commits its
 * chunk (at the chunk's end, or when its coordinator finds the lease gone and stops it). The fence
 * refuses it: A stops with {@code LEASE-LOST} and a message naming the
 * partition and the epochs, nothing of its open chunk is written, and every item is there exactly once.
 *
 * <p>Negative control: A without the fence commits its chunk after the takeover, and items are written
 * twice.
 */
class StalledWorkerTest {
    /** This module, jobs and jdbc, for the child JVM's class path (the core is always there). */
    private static final List<Class<?>> CHILD_CLASSES = List.of(ClusterJob.class, Job.class, SqlTransaction.class);

    private static final int N = 600;
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
    @DisplayName("J5: a SIGSTOPped worker resumed after a takeover cannot commit: LEASE-LOST, nothing written")
    void frozenWorkerIsFenced() throws Exception {
        Result r = freezeTakeOverResume();
        assertThat(r.aStatus).as("A's exit status (4: lease lost); its last line: %s", r.aLast).isEqualTo(4);
        assertThat(r.aLast).startsWith("LEASE-LOST").contains("partition 0").contains("its commit was refused")
                .contains("worker 'A', epoch 1").contains("now held by worker 'B' (epoch 2")
                .contains("Nothing of this worker's uncommitted work (items ");
        assertThat(Fixtures.duplicates(r.prefix)).isZero();
        assertThat(Fixtures.distinct(r.prefix)).isEqualTo(N);
        assertThat(Pg.count("SELECT count(*) FROM " + r.prefix + "sink WHERE worker = 'A'"))
                .as("A's rows are the items it committed before it froze").isEqualTo(r.aCommitted);
    }

    @Test
    @DisplayName("J5 negative control: a frozen worker without the fence commits after the takeover: duplicates")
    void withoutFenceDuplicates() throws Exception {
        Result r = freezeTakeOverResume("nofence", "nooutput");
        assertThat(Fixtures.duplicates(r.prefix)).as("A's last line: %s", r.aLast).isPositive();
    }

    private record Result(String prefix, int aStatus, String aLast, long aCommitted) {}

    private Result freezeTakeOverResume(String... aFlags) throws Exception {
        String prefix = Pg.freshPrefix();
        prefixes.add(prefix);
        JobDatabase db = Fixtures.migratedWithSink(prefix);
        ClusterJob.create(db, "frozen", Fixtures.items(N), 1, Tally.class, Tally.ZERO,
                Fixtures.processor(prefix, "controller", true)).submit();
        List<String> aArgs = new ArrayList<>(List.of(prefix, "frozen", Integer.toString(N), "1", "2000", "20", "5000",
                "A", "announce"));
        aArgs.addAll(List.of(aFlags));
        boolean output = !List.of(aFlags).contains("nooutput");
        try (ChildJvm a = ChildJvm.start(logs, WorkerMain.class, CHILD_CLASSES, aArgs.toArray(String[]::new))) {
            assertThat(a.awaitOrEnd("CP")).as("A checkpoints; stderr: %s", a.stderr()).isNotNull();
            assertThat(a.awaitOrEnd("CP")).isNotNull();
            for (int i = 0; i < 5; i++) {
                assertThat(a.awaitOrEnd("ITEM")).isNotNull();
            }
            a.signal("STOP"); // five items of the next chunk written, uncommitted
            long committed = db.status("frozen").doneItems();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Pg.count("SELECT count(*) FROM " + prefix + "partitions WHERE lease_expires_at < now()") == 0) {
                assertThat(System.nanoTime()).as("A's lease expires").isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            List<String> bArgs = new ArrayList<>(List.of(prefix, "frozen", Integer.toString(N), "1", "2000", "20", "0",
                    "B"));
            if (!output) {
                bArgs.add("nooutput");
            }
            try (ChildJvm b = ChildJvm.start(logs, WorkerMain.class, CHILD_CLASSES, bArgs.toArray(String[]::new))) {
                assertThat(b.awaitOrEnd("DONE")).as("B takes over and completes; stderr: %s", b.stderr()).isNotNull();
                assertThat(b.waitFor()).isZero();
            }
            a.signal("CONT");
            String last = null;
            for (String line; (line = a.readLine()) != null; ) {
                last = line;
            }
            System.out.println("frozen worker A ended with: " + last);
            return new Result(prefix, a.waitFor(), String.valueOf(last), committed);
        }
    }
}
