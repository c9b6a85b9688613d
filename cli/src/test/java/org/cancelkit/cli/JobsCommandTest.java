package org.cancelkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.cancelkit.Cancellation;
import org.cancelkit.CancelledException;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.postgres.ClusterItemProcessor;
import org.cancelkit.jobs.postgres.ClusterJob;
import org.cancelkit.jobs.postgres.ClusterOptions;
import org.cancelkit.jobs.postgres.JobDatabase;
import org.cancelkit.jobs.postgres.UrlDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code cancelkit jobs status|cancel|reopen|migrate} against a real PostgreSQL (the server CI starts,
 * else the embedded one, as the tour): the status of a job a worker of this JVM holds, a cancel from the
 * command line that stops that worker and frees its lease, a repeated cancel, the status of the cancelled job
 * (cancelled, no rate, no ETA), a reopen and the status of the reopened job no worker runs (stalled), and the errors
 * (an unknown job, a bad prefix, a bad duration) as one line on standard error with exit status 2.
 *
 * <p>The worker holds item 12 (partition 1 of 4, items 10..19) until its token is cancelled, so the job
 * cannot move between the steps: partition 0 complete, partition 1 leased to it, 2 and 3 never claimed.
 */
class JobsCommandTest {
    private static final String JOB = "cli-job";
    private static final String WORKER = "cli-worker";
    private final String prefix = "ckcli" + ProcessHandle.current().pid() + "_";
    private DatabaseScenarios.TourDatabase database;

    /** What one command printed and returned. */
    private record Run(int status, String out, String err) {}

    @BeforeEach
    void open() throws Exception {
        database = DatabaseScenarios.TourDatabase.open(DatabaseScenarios.PG_URL);
    }

    @AfterEach
    void drop() throws Exception {
        try (DatabaseScenarios.TourDatabase open = database; Connection c = UrlDataSource.of(open.url()).getConnection();
                Statement s = c.createStatement()) {
            for (String t : List.of("output", "partitions", "jobs", "schema_version")) {
                s.execute("DROP TABLE IF EXISTS " + prefix + t + " CASCADE");
            }
        }
    }

    /** Runs {@code cancelkit jobs <args> --url <database> --prefix <prefix>}, capturing both streams. */
    private Run jobs(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--url", database.url()));
        if (!all.contains("--prefix")) {
            all.addAll(List.of("--prefix", prefix));
        }
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            status = new CommandLine(new JobsCommand()).execute(all.toArray(String[]::new));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        Run r = new Run(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        System.out.println("$ cancelkit jobs " + String.join(" ", args) + " -> " + r.status + "\n" + r.out + r.err);
        return r;
    }

    @Test
    void statusCancelReopenAndMigrate_fromTheCommandLine() throws Exception {
        Run migrate = jobs("migrate");
        assertThat(migrate.status()).as(migrate.err()).isZero();
        assertThat(migrate.out()).contains("job tables with prefix " + prefix + " at schema version 1");

        JobDatabase db = JobDatabase.of(UrlDataSource.of(database.url()), prefix);
        CountDownLatch holding = new CountDownLatch(1);
        ClusterItemProcessor<Long, Long> hold = (index, item, n, out, tx) -> {
            if (index == 12) {
                holding.countDown();
                Cancellation.current().awaitCancellation(); // until the command line's cancel reaches this worker
            }
            return n + 1;
        };
        ClusterJob<Long, Long> job = ClusterJob.create(db, JOB, LongStream.range(0, 40).boxed().toList(), 4,
                Long.class, 0L, hold).withOptions(ClusterOptions.defaults()
                        .withJob(JobOptions.defaults().withCheckpointEveryItems(5)));
        assertThat(job.submit()).isTrue();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread worker = Thread.ofPlatform().name("jobs-command-test-worker").start(() -> {
            try {
                job.work(WORKER);
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        try {
            assertThat(holding.await(60, TimeUnit.SECONDS)).as("the worker reaches item 12").isTrue();

            Run running = jobs("status", JOB, "--width", "8");
            assertThat(running.status()).as(running.err()).isZero();
            assertThat(running.out()).startsWith("job " + JOB + "\n")
                    .as("control: no cancel yet").doesNotContain("cancelled")
                    .contains("[##......]  10/40  25.0%  ").contains(" items/s  ETA ")
                    .containsPattern("(?m)^ +0  0\\.\\.9 +10/10 +completed( by " + WORKER + ")?$")
                    .containsPattern("(?m)^ +1  10\\.\\.19 +0/10 +" + WORKER + " \\(epoch 1\\), expires in ")
                    .containsPattern("(?m)^ +3  30\\.\\.39 +0/10 +free \\(epoch 0\\)$");

            Run cancel = jobs("cancel", JOB, "--grace", "5s", "--reason", "stopped from the test");
            assertThat(cancel.status()).as(cancel.err()).isZero();
            assertThat(cancel.out()).contains("job " + JOB + " cancelled: every worker stops within its grace (5000 ms)");
            worker.join(TimeUnit.SECONDS.toMillis(60)); // the bound of a failure, not a wait for the cancel
            assertThat(worker.isAlive()).as("the worker stopped on the command line's cancel").isFalse();
        } finally {
            job.cancel("test over", Duration.ZERO);
            worker.join();
        }
        assertThat(ended.get()).as("work() ends with the cancel").isInstanceOf(CancelledException.class);

        Run again = jobs("cancel", JOB);
        assertThat(again.status()).isZero();
        assertThat(again.out()).contains("job " + JOB + " was already cancelled");

        Run stopped = jobs("status", JOB, "--width", "8");
        assertThat(stopped.status()).isZero();
        assertThat(stopped.out()).as("what the job is doing, not a rate and an ETA as if it ran")
                .containsPattern("\\Ajob " + JOB + ": cancelled \\(stopped from the test, "
                        + "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)\n")
                .containsPattern("\n\\[#*\\.*\\]  1\\d/40  \\d+\\.\\d%\n").doesNotContain("items/s").doesNotContain("ETA")
                .as("the worker released its lease").doesNotContain(WORKER + " (epoch");

        assertThat(jobs("reopen", JOB).out()).contains("job " + JOB + " reopened: workers resume it");
        assertThat(jobs("reopen", JOB).out()).contains("job " + JOB + " was not cancelled");
        assertThat(jobs("status", JOB).out()).as("reopened, no worker runs it")
                .startsWith("job " + JOB + ": stalled: no worker holds a lease\n").doesNotContain("cancelled")
                .doesNotContain("ETA");
    }

    @Test
    void statusEscapesStoredText_oneLinePerLine() throws Exception {
        assertThat(jobs("migrate").status()).isZero();
        JobDatabase db = JobDatabase.of(UrlDataSource.of(database.url()), prefix);
        ClusterJob<Long, Long> job = ClusterJob.create(db, JOB, LongStream.range(0, 40).boxed().toList(), 4,
                Long.class, 0L, (index, item, n, out, tx) -> n + 1);
        assertThat(job.submit()).isTrue();
        // as anyone with UPDATE rights on the jobs table can write it (the cancel's reason is a plain column)
        Run cancel = jobs("cancel", JOB, "--reason", "wipe\u001b[2J\nfake line");
        assertThat(cancel.status()).as(cancel.err()).isZero();

        Run status = jobs("status", JOB, "--width", "8");
        assertThat(status.status()).as(status.err()).isZero();
        assertThat(status.out()).as("visible, on the headline's line")
                .startsWith("job " + JOB + ": cancelled (wipe\\u001B[2J\\u000Afake line, ")
                .doesNotContain("\u001b").doesNotContain("\nfake line");
        assertThat(status.out().split("\n")).as("the headline, the bar, the header and the four partitions")
                .hasSize(7);

        assertThat(db.reopen(JOB)).isTrue();
        assertThat(jobs("cancel", JOB, "--reason", "déjà vu — stop \\ now").status()).isZero();
        assertThat(jobs("status", JOB).out()).as("control: ordinary text is shown unchanged")
                .startsWith("job " + JOB + ": cancelled (déjà vu — stop \\ now, ");
    }

    @Test
    void errorsAreOneLineOnStandardError_withStatus2() {
        assertThat(jobs("migrate").status()).isZero();
        for (String[] args : List.of(new String[] {"status", "no-such-job"}, new String[] {"cancel", "no-such-job"},
                new String[] {"reopen", "no-such-job"})) {
            Run r = jobs(args);
            assertThat(r.status()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).startsWith("cancelkit jobs: there is no job 'no-such-job'").hasLineCount(1);
            assertThat(r.out()).isEmpty();
        }
        Run escaped = jobs("status", "no\u001b[2J\njob");
        assertThat(escaped.status()).isEqualTo(2);
        assertThat(escaped.err()).as("the quoted id escaped, on one line")
                .startsWith("cancelkit jobs: there is no job 'no\\u001B[2J\\u000Ajob'").hasLineCount(1);
        Run badPrefix = jobs("status", JOB, "--prefix", "Bad;DROP");
        assertThat(badPrefix.status()).isEqualTo(2);
        assertThat(badPrefix.err()).startsWith("cancelkit jobs: ").contains("Bad;DROP").hasLineCount(1);
        Run badGrace = jobs("cancel", JOB, "--grace", "10x");
        assertThat(badGrace.status()).isEqualTo(2);
        assertThat(badGrace.err()).contains("'10x' is not a duration");
    }
}
