package org.cancelkit.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import org.cancelkit.Cancellation;
import org.cancelkit.Timeout;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.Progress;
import org.cancelkit.jobs.postgres.ClusterItemProcessor;
import org.cancelkit.jobs.postgres.ClusterJob;
import org.cancelkit.jobs.postgres.ClusterOptions;
import org.cancelkit.jobs.postgres.ClusterStatus;
import org.cancelkit.jobs.postgres.JobDatabase;
import org.cancelkit.jobs.postgres.UrlDataSource;
import org.cancelkit.jobs.postgres.WorkerReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The jobs-postgres module's scenario: two workers share a job; one is killed, the other takes over. */
final class ClusterScenarios {
    private ClusterScenarios() {}

    static final String PREFIX = "cancelkit_tour_";
    static final String JOB = "tour-takeover";
    static final String SINK = PREFIX + "sink";
    static final int ITEMS = 1_200;
    static final int PARTITIONS = 4;
    static final Duration LEASE = Duration.ofSeconds(1);

    static List<Scenario> all() {
        return List.of(new Takeover());
    }

    /** The scenario's job, as every worker (this process and the child) describes it. */
    static ClusterJob<Long, Long> job(JobDatabase db, String worker, long pauseMillis) {
        List<Long> items = LongStream.range(0, ITEMS).boxed().toList();
        ClusterItemProcessor<Long, Long> insert = (index, item, count, out, tx) -> {
            tx.update("INSERT INTO " + SINK + " (item, worker) VALUES (?, ?)", item, worker);
            if (pauseMillis > 0) {
                Cancellation.sleep(Duration.ofMillis(pauseMillis));
            }
            return count + 1;
        };
        return ClusterJob.create(db, JOB, items, PARTITIONS, Long.class, 0L, insert).withOptions(ClusterOptions.defaults().withLease(LEASE).withPollEvery(Duration.ofMillis(200))
                        .withJob(JobOptions.defaults().withCheckpointEveryItems(25).withListener(p -> {
                            if (p.event() == Progress.Event.CHECKPOINT && worker.equals("A")) {
                                System.out.println("CP");
                                System.out.flush();
                            }
                        })));
    }

    /**
     * Worker A (a child JVM) commits a few chunks and is killed with SIGKILL; worker B (this JVM) takes
     * its partition over once the lease expires, from its last checkpoint, and completes the job: every
     * item's row exactly once, read back from the database.
     */
    static final class Takeover implements Scenario {
        private final String serverUrl;

        /** The scenario on the server at {@link DatabaseScenarios#PG_URL}, or an embedded one when none answers there. */
        Takeover() {
            this(DatabaseScenarios.PG_URL);
        }

        Takeover(String serverUrl) {
            this.serverUrl = serverUrl;
        }

        @Override
        public String name() {
            return "cluster-takeover";
        }

        @Override
        public String title() {
            return "Two workers share a job in PostgreSQL; one is killed -9, the other takes its partition over";
        }

        @Override
        public String invariants() {
            return "J4 J1";
        }

        @Override
        public void run(Report r) throws Exception {
            DatabaseScenarios.TourDatabase database;
            try {
                database = DatabaseScenarios.TourDatabase.open(serverUrl);
            } catch (IOException e) {
                r.skip(e.getMessage());
                return;
            }
            r.say("database: " + database.description());
            try (database) {
                takeover(r, database.url());
            }
        }

        /** The scenario on the database at {@code url}, which the child worker is told with -Dcancelkit.tour.pgUrl. */
        private static void takeover(Report r, String url) throws Exception {
            UrlDataSource ds = UrlDataSource.of(url);
            JobDatabase db = JobDatabase.of(ds, PREFIX);
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                db.migrate();
                db.delete(JOB);
                s.execute("CREATE TABLE IF NOT EXISTS " + SINK + " (item bigint NOT NULL, worker text NOT NULL)");
                s.execute("TRUNCATE " + SINK);
            }
            job(db, "B", 0).submit();
            r.say("job " + JOB + ": " + ITEMS + " items in " + PARTITIONS + " partitions, lease " + Report.ms(LEASE)
                    + "; each item inserts a row in the chunk's transaction, which also commits the checkpoint");
            Process a = new ProcessBuilder(childCommand(url)).redirectErrorStream(true).start();
            long killedAt;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(a.getInputStream(),
                    StandardCharsets.UTF_8))) {
                int checkpoints = 0;
                for (String line; checkpoints < 3 && (line = out.readLine()) != null; ) {
                    if (line.equals("CP")) {
                        checkpoints++;
                    }
                }
                a.toHandle().destroyForcibly();
                a.waitFor();
                killedAt = System.nanoTime();
            }
            ClusterStatus before = db.status(JOB);
            r.say("worker A (pid " + a.pid() + ") committed " + before.doneItems() + " items, then was killed with "
                    + "SIGKILL; its open chunk died with its session");
            List<String> held = new ArrayList<>();
            before.partitions().stream().filter(p -> p.owner() != null && !p.completed())
                    .forEach(p -> held.add("partition " + p.partition() + " by " + p.owner() + " at item " + p.nextItem()));
            r.say("leases still held by the dead worker: " + held);
            WorkerReport b = Timeout.call(Duration.ofSeconds(60), () -> job(db, "B", 0).work("B"));
            r.say("worker B completed " + b.partitionsCompleted() + " partitions, " + b.takeovers() + " taken over "
                    + "after the lease expired, in " + Report.since(killedAt) + " after the kill");
            ClusterStatus after = db.status(JOB);
            for (String line : after.render(30).split("\n")) {
                r.say(line);
            }
            long rows = count(ds, "SELECT count(*) FROM " + SINK);
            long distinct = count(ds, "SELECT count(DISTINCT item) FROM " + SINK);
            r.check("J4: worker B took over the killed worker's partition from its last checkpoint",
                    b.takeovers() >= 1 && after.isComplete());
            r.check("J1: every item's row exactly once (" + rows + " rows, " + distinct + " distinct, " + ITEMS
                    + " items)", rows == ITEMS && distinct == ITEMS);
        }

        private static long count(UrlDataSource ds, String sql) throws SQLException {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                    var rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }

        /** This JVM's launcher and module (or class) path, running {@code cancelkit jobs tour-worker A} on {@code url}. */
        private static List<String> childCommand(String url) {
            String launcher = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> command = new ArrayList<>(List.of(launcher, "-Xshare:auto", "-Dcancelkit.tour.pgUrl=" + url));
            String modulePath = System.getProperty("jdk.module.path");
            if (modulePath != null && !modulePath.isBlank()) {
                command.addAll(List.of("-p", modulePath, "-m", "org.cancelkit.cli/" + Main.class.getName()));
            } else {
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
            }
            command.addAll(List.of("jobs", "tour-worker", "A"));
            return command;
        }
    }

    /** {@code cancelkit jobs tour-worker <name>}: a worker of the tour's job, printing {@code CP} per checkpoint. */
    @Command(name = "tour-worker", hidden = true, description = "A worker of the cluster-takeover scenario.")
    static final class TourWorkerCommand implements Callable<Integer> {
        @Parameters(index = "0", description = "the worker's name")
        String name = "A";

        @Override
        public Integer call() throws Exception {
            job(JobDatabase.of(UrlDataSource.of(DatabaseScenarios.PG_URL), PREFIX), name, 5).work(name);
            return 0;
        }
    }
}
