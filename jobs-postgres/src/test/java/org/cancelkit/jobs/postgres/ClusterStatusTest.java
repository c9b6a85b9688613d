package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.Progress;
import org.cancelkit.jobs.ProgressBar;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What {@link JobDatabase#status} says a job is doing: running (the bar with the rate and the ETA,
 * unchanged), or not running — cancelled (its reason and when), completed, stalled (no worker holds a
 * live lease), not started — with no rate and no ETA, which would pretend that work goes on.
 *
 * <p>The leases are set with SQL on the partition rows, as a worker's claim leaves them (owner, epoch,
 * expiry on the server's clock), so each case is exact and nothing waits on time; the completed case
 * runs a real worker.
 */
class ClusterStatusTest {
    private static final String JOB = "st";
    private final String prefix = Pg.freshPrefix();
    private JobDatabase db;

    @BeforeEach
    void setUp() throws Exception {
        db = Fixtures.migratedWithSink(prefix);
        ClusterJob<Long, Tally> job = job();
        assertThat(job.submit()).isTrue();
    }

    @AfterEach
    void drop() throws SQLException {
        Pg.drop(prefix);
    }

    /** 40 items in 4 partitions of 10. */
    private ClusterJob<Long, Tally> job() {
        return ClusterJob.create(db, JOB, Fixtures.items(40), 4, Tally.class, Tally.ZERO,
                Fixtures.processor(prefix, "w", false))
                .withOptions(ClusterOptions.defaults().withJob(JobOptions.defaults().withCheckpointEveryItems(5)));
    }

    /**
     * 15 of 40 items done over 10 s: partition 0 completed by "a", partition 1 at item 15 with a lease of
     * "b" (epoch 2) that expires {@code leaseSeconds} from now (negative: expired).
     */
    private void progressed(int leaseSeconds) throws SQLException {
        Pg.update("UPDATE " + prefix + "jobs SET started_at = now() - interval '10 seconds' WHERE job_id = ?", JOB);
        Pg.update("UPDATE " + prefix + "partitions SET next_item = 10, lease_owner = 'a', lease_epoch = 1, "
                + "completed_at = now() WHERE job_id = ? AND partition = 0", JOB);
        Pg.update("UPDATE " + prefix + "partitions SET next_item = 15, lease_owner = 'b', lease_epoch = 2, "
                + "lease_expires_at = now() + ? * interval '1 second' WHERE job_id = ? AND partition = 1",
                leaseSeconds, JOB);
    }

    private void released() throws SQLException {
        Pg.update("UPDATE " + prefix + "partitions SET lease_owner = NULL, lease_expires_at = NULL "
                + "WHERE job_id = ? AND partition = 1", JOB);
    }

    private static String line(String text, int n) {
        return text.split("\n")[n];
    }

    private static void assertNoRateNorEta(ClusterStatus s) {
        assertThat(s.render(8)).doesNotContain("items/s").doesNotContain("ETA");
        assertThat(line(s.render(8), 1)).isEqualTo("[###.....]  15/40  37.5%");
        assertThat(s.progress().itemsPerSecond()).isZero();
        assertThat(s.progress().eta()).isNull();
        assertThat(s.progress().event()).isEqualTo(Progress.Event.STOPPED);
    }

    @Test
    @DisplayName("control: a worker holds a live lease: the first line is the job alone, the bar has the rate and the ETA")
    void running_keepsTheRateAndTheEta() throws Exception {
        progressed(60);
        ClusterStatus s = db.status(JOB);
        assertThat(s.state()).isEqualTo(ClusterStatus.State.RUNNING);
        String text = s.render(8);
        assertThat(line(text, 0)).isEqualTo("job " + JOB);
        assertThat(line(text, 1)).isEqualTo(ProgressBar.line(s.progress(), 8))
                .startsWith("[###.....]  15/40  37.5%  1.5 items/s  ETA ");
        assertThat(s.progress().eta()).as("25 items at 1.5 items/s").isBetween(Duration.ofSeconds(16),
                Duration.ofSeconds(17));
        assertThat(text).containsPattern("(?m)^ +1  10\\.\\.19 +5/10 +b \\(epoch 2\\), expires in ");
    }

    @Test
    @DisplayName("cancelled, no lease held: its reason and when, no rate, no ETA")
    void cancelled_saysWhyAndWhen() throws Exception {
        progressed(60);
        released();
        assertThat(db.cancel(JOB, "operator request", Duration.ZERO)).isTrue();
        Instant at = Pg.instant("SELECT cancel_requested_at FROM " + prefix + "jobs WHERE job_id = ?", JOB);
        ClusterStatus s = db.status(JOB);
        assertThat(s.state()).isEqualTo(ClusterStatus.State.CANCELLED);
        assertThat(line(s.render(8), 0)).isEqualTo("job " + JOB + ": cancelled (operator request, "
                + at.truncatedTo(ChronoUnit.SECONDS) + ")");
        assertThat(s.cancelRequestedAt()).isEqualTo(at);
        assertNoRateNorEta(s);
    }

    @Test
    @DisplayName("stored text with control characters (ESC[2J, a newline, BEL, a bidi override) is shown escaped, "
            + "each line stays one line")
    void storedText_isEscaped() throws Exception {
        progressed(60);
        Pg.update("UPDATE " + prefix + "partitions SET lease_owner = ? WHERE job_id = ? AND partition = 1",
                "b\u001b]0;owned\u0007\u202e", JOB);
        assertThat(db.cancel(JOB, "wipe\u001b[2J\nfake line", Duration.ofSeconds(30))).isTrue();
        String text = db.status(JOB).render(8);
        assertThat(line(text, 0)).startsWith("job " + JOB + ": cancelled (wipe\\u001B[2J\\u000Afake line, ");
        assertThat(text).containsPattern("(?m)^ +1  10\\.\\.19 +5/10 +b\\\\u001B\\]0;owned\\\\u0007\\\\u202E "
                + "\\(epoch 2\\), expires in ");
        assertThat(text.split("\n")).as("the headline, the bar, the header and the four partitions").hasSize(7);
        assertThat(text.chars().filter(c -> c != '\n').noneMatch(c -> Character.isISOControl(c)
                || Character.getType(c) == Character.FORMAT)).as("no control or format character but the line ends")
                .isTrue();
    }

    @Test
    @DisplayName("control: ordinary stored text (accents, punctuation, a tab-free reason) is shown unchanged")
    void ordinaryText_isUnchanged() throws Exception {
        progressed(60);
        Pg.update("UPDATE " + prefix + "partitions SET lease_owner = ? WHERE job_id = ? AND partition = 1",
                "wörker-β@host:42", JOB);
        assertThat(db.cancel(JOB, "déjà vu — stop \\ now [2J] 100%", Duration.ofSeconds(30))).isTrue();
        String text = db.status(JOB).render(8);
        assertThat(line(text, 0)).startsWith("job " + JOB + ": cancelled (déjà vu — stop \\ now [2J] 100%, ");
        assertThat(text).contains("wörker-β@host:42 (epoch 2), expires in ");
    }

    @Test
    @DisplayName("cancelled while a worker still holds its lease: cancelled, and that it is draining; no ETA")
    void cancelled_whileAWorkerDrains() throws Exception {
        progressed(60);
        assertThat(db.cancel(JOB, "operator request", Duration.ofSeconds(30))).isTrue();
        ClusterStatus s = db.status(JOB);
        assertThat(s.state()).isEqualTo(ClusterStatus.State.CANCELLED);
        assertThat(line(s.render(8), 0)).startsWith("job " + JOB + ": cancelled (operator request, ")
                .endsWith("); 1 lease still held while its worker drains");
        assertNoRateNorEta(s);
    }

    @Test
    @DisplayName("stalled: the only lease expired (its worker died or froze): stalled, no rate, no ETA")
    void stalled_whenNoWorkerHoldsALiveLease() throws Exception {
        progressed(-3);
        ClusterStatus s = db.status(JOB);
        assertThat(s.state()).isEqualTo(ClusterStatus.State.STALLED);
        String text = s.render(8);
        assertThat(line(text, 0)).isEqualTo("job " + JOB + ": stalled: no worker holds a lease");
        assertThat(text).as("the partition line shows whose lease expired")
                .containsPattern("(?m)^ +1  10\\.\\.19 +5/10 +b \\(epoch 2\\), expired ");
        assertNoRateNorEta(s);
    }

    @Test
    @DisplayName("stalled: leases released (a reopened job no worker runs): stalled, no rate, no ETA")
    void stalled_whenTheLeasesWereReleased() throws Exception {
        progressed(60);
        released();
        ClusterStatus s = db.status(JOB);
        assertThat(s.state()).isEqualTo(ClusterStatus.State.STALLED);
        assertThat(line(s.render(8), 0)).isEqualTo("job " + JOB + ": stalled: no worker holds a lease");
        assertNoRateNorEta(s);
    }

    @Test
    @DisplayName("submitted, never claimed: waiting for workers, no rate, no ETA")
    void notStarted_waitsForWorkers() throws Exception {
        ClusterStatus s = db.status(JOB);
        assertThat(s.state()).isEqualTo(ClusterStatus.State.NOT_STARTED);
        String text = s.render(8);
        assertThat(line(text, 0)).isEqualTo("job " + JOB + ": not started: no worker has claimed a partition");
        assertThat(line(text, 1)).isEqualTo("[........]  0/40  0.0%");
        assertThat(s.progress().eta()).isNull();
    }

    @Test
    @DisplayName("completed by a worker: completed and how long it took, no rate, no ETA")
    void completed_saysHowLongItTook() throws Exception {
        job().work("w");
        ClusterStatus s = db.status(JOB);
        assertThat(s.state()).isEqualTo(ClusterStatus.State.COMPLETED);
        String text = s.render(8);
        assertThat(line(text, 0)).matches("job " + JOB + ": completed in \\d+\\.\\d s");
        assertThat(line(text, 1)).isEqualTo("[########]  40/40  100.0%");
        assertThat(text).doesNotContain("items/s").doesNotContain("ETA");
        assertThat(s.progress().eta()).isEqualTo(Duration.ZERO);
    }
}
