package org.cancelkit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;
import org.cancelkit.jobs.Job;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.Progress;
import org.cancelkit.jobs.postgres.ClusterItemProcessor;
import org.cancelkit.jobs.postgres.ClusterJob;
import org.cancelkit.jobs.postgres.ClusterOptions;
import org.cancelkit.jobs.postgres.ClusterStatus;
import org.cancelkit.jobs.postgres.JobDatabase;
import org.cancelkit.jobs.postgres.UrlDataSource;

/**
 * Jobs across worker processes (jobs-postgres) against the file-based job, on this machine and the
 * PostgreSQL on loopback: items per second of a job of trivial items (one output line each) with 1, 2
 * and 4 worker JVMs, measured by the database from the first claim to the last completion; the
 * checkpoint commit latency (p50/p99) of both stores, as the time between checkpoints of a job that
 * checkpoints after every item; and the takeover time of a killed worker's partition for three lease
 * lengths. Prints a Markdown section.
 *
 * <p>{@code bench/run.sh} runs it after a full run when PostgreSQL answers on loopback and puts its
 * section at the end of {@code bench/RESULTS.md}, between markers; alone: {@code java -cp
 * bench/target/benchmarks.jar org.cancelkit.bench.ClusterJobBench} (with {@code -Dbench.pgUrl=...} for
 * another database). The section says how each figure is taken and reads them (ratios, the lease's
 * trade-off) from the figures of the same run, so that a regenerated section keeps its explanation.
 */
public final class ClusterJobBench {
    private static final String URL = System.getProperty("bench.pgUrl",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private static final int ITEMS = 200_000;
    private static final int PARTITIONS = 16;

    private ClusterJobBench() {}

    /**
     * Runs the measurements, or one worker when the first argument is {@code worker}.
     *
     * @param args nothing, or {@code worker prefix job items partitions leaseMs pauseMicros name}
     * @throws Exception when a measurement fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("worker")) {
            worker(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        String prefix = "ckbench" + ProcessHandle.current().pid() + "_";
        JobDatabase db = JobDatabase.of(UrlDataSource.of(URL), prefix);
        db.migrate();
        try {
            System.out.println("## Jobs across machines (jobs-postgres)\n");
            System.out.println("`ClusterJobBench` (its own program, not JMH; worker processes are child JVMs; run by"
                    + " `bench/run.sh` after a full run when PostgreSQL answers on loopback, or alone: `java -cp"
                    + " bench/target/benchmarks.jar org.cancelkit.bench.ClusterJobBench`).\n");
            System.out.printf(Locale.ROOT, "%d trivial items (one output line each), %d partitions, a checkpoint every 500"
                    + " items; PostgreSQL on loopback; connections straight from the driver (no pool: each claim opens"
                    + " its own); 2-core machine shared with other work.%n%n", ITEMS, PARTITIONS);
            System.out.println("| run | items/s |\n|---|---|");
            Path dir = Files.createTempDirectory("ckbench");
            fileJob(dir, 500); // warm-up
            double file = fileJob(dir, 500);
            System.out.printf(Locale.ROOT, "| file-based `Job`, one process | %.0f |%n", file);
            int[] counts = {1, 2, 4};
            double[] rates = new double[counts.length];
            for (int k = 0; k < counts.length; k++) {
                rates[k] = cluster(db, prefix, "w" + counts[k], counts[k]);
                System.out.printf(Locale.ROOT, "| `ClusterJob`, %d worker JVM%s | %.0f |%n", counts[k],
                        counts[k] == 1 ? "" : "s", rates[k]);
            }
            long[] fileCommits = fileCommitNanos(dir);
            long[] pgCommits = pgCommitNanos(db);
            System.out.println("\n| checkpoint commit | p50 | p99 |\n|---|---|---|");
            System.out.println("| file store (sync output, atomic replace) | " + latencies(fileCommits) + " |");
            System.out.println("| PostgreSQL (fence, output rows, commit) | " + latencies(pgCommits) + " |");
            System.out.println("\n| lease | takeover after kill -9 (median of 3) |\n|---|---|");
            long[] leases = {1_000, 2_000, 5_000};
            long[] takeovers = new long[leases.length];
            for (int k = 0; k < leases.length; k++) {
                long[] t = new long[3];
                for (int i = 0; i < 3; i++) {
                    t[i] = takeover(db, prefix, "t" + leases[k] + "-" + i, leases[k]);
                }
                Arrays.sort(t);
                takeovers[k] = t[1];
                System.out.printf(Locale.ROOT, "| %d ms | %d ms |%n", leases[k], t[1]);
            }
            System.out.println();
            System.out.println(reading(file, rates, p50(fileCommits), p50(pgCommits), leases, takeovers));
        } finally {
            try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
                for (String t : List.of("output", "partitions", "jobs", "schema_version")) {
                    s.execute("DROP TABLE IF EXISTS " + prefix + t + " CASCADE");
                }
            }
        }
    }

    private static double fileJob(Path dir, int every) throws Exception {
        Job<Long, Long> job = Job.create("bench", dir, items(ITEMS), Long.class, 0L, (i, item, n, out) -> {
            out.println("item " + i);
            return n + 1;
        }).withOptions(JobOptions.defaults().withCheckpointEveryItems(every));
        job.reset();
        long t0 = System.nanoTime();
        job.run();
        return ITEMS / ((System.nanoTime() - t0) / 1e9);
    }

    private static long[] fileCommitNanos(Path dir) throws Exception {
        List<Long> at = new ArrayList<>();
        Job<Long, Long> job = Job.create("commits", dir, items(1_000), Long.class, 0L, (i, item, n, out) -> {
            out.println("item " + i);
            return n + 1;
        }).withOptions(JobOptions.defaults().withCheckpointEveryItems(1).withListener(p -> {
            if (p.event() == Progress.Event.CHECKPOINT) {
                at.add(System.nanoTime());
            }
        }));
        job.reset();
        job.run();
        return intervals(at);
    }

    private static long[] pgCommitNanos(JobDatabase db) throws Exception {
        List<Long> at = new ArrayList<>();
        ClusterItemProcessor<Long, Long> p = (i, item, n, out, tx) -> {
            out.println("item " + i);
            return n + 1;
        };
        ClusterJob<Long, Long> job = ClusterJob.create(db, "commits", items(1_000), 1, Long.class, 0L, p)
                .withOptions(ClusterOptions.defaults().withJob(JobOptions.defaults().withCheckpointEveryItems(1)
                        .withListener(pr -> at.add(System.nanoTime()))));
        job.submit();
        job.work("bench");
        return intervals(at);
    }

    private static double cluster(JobDatabase db, String prefix, String id, int workers) throws Exception {
        ClusterJob<Long, Long> job = job(db, id, ITEMS, PARTITIONS, 30_000, 0);
        job.submit();
        List<Process> ps = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            ps.add(start(prefix, id, ITEMS, PARTITIONS, 30_000, 0, "w" + w));
        }
        for (Process p : ps) {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("a worker failed: " + new String(p.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8));
            }
        }
        ClusterStatus s = db.status(id);
        return s.doneItems() / (s.elapsed().toNanos() / 1e9);
    }

    /** Worker A holds the only partition; it is killed; worker B (waiting) takes over: kill to B's claim. */
    private static long takeover(JobDatabase db, String prefix, String id, long leaseMs) throws Exception {
        job(db, id, 200_000, 1, leaseMs, 0).submit();
        Process a = start(prefix, id, 200_000, 1, leaseMs, 1_000, "A");
        BufferedReader out = new BufferedReader(new InputStreamReader(a.getInputStream(), StandardCharsets.UTF_8));
        while (!"CP".equals(out.readLine())) {
            // until A has committed a checkpoint
        }
        Process b = start(prefix, id, 200_000, 1, leaseMs, 1_000, "B");
        Thread.sleep(2_000); // B started and waiting
        long killed = System.nanoTime();
        a.destroyForcibly().waitFor();
        while (db.status(id).partitions().getFirst().epoch() < 2) {
            Thread.sleep(5);
        }
        long ms = (System.nanoTime() - killed) / 1_000_000;
        b.destroyForcibly().waitFor();
        return ms;
    }

    private static ClusterJob<Long, Long> job(JobDatabase db, String id, int n, int partitions, long leaseMs,
            long pauseMicros) {
        ClusterItemProcessor<Long, Long> p = (i, item, count, out, tx) -> {
            out.println("item " + i);
            if (pauseMicros > 0) {
                org.cancelkit.Cancellation.sleep(Duration.ofNanos(pauseMicros * 1000));
            }
            return count + 1;
        };
        return ClusterJob.create(db, id, items(n), partitions, Long.class, 0L, p).withOptions(ClusterOptions.defaults()
                .withLease(Duration.ofMillis(leaseMs)).withJob(JobOptions.defaults().withCheckpointEveryItems(500)
                        .withListener(pr -> {
                            if (pr.event() == Progress.Event.CHECKPOINT) {
                                System.out.println("CP");
                            }
                        })));
    }

    private static void worker(String[] a) throws Exception {
        job(JobDatabase.of(UrlDataSource.of(URL), a[0]), a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]), Long.parseLong(a[4]),
                Long.parseLong(a[5])).work(a[6]);
    }

    private static Process start(String prefix, String id, int n, int partitions, long leaseMs, long pauseMicros,
            String name) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ClusterJobBench.class.getName(),
                "worker", prefix, id, Integer.toString(n), Integer.toString(partitions), Long.toString(leaseMs),
                Long.toString(pauseMicros), name).redirectErrorStream(true).start();
    }

    private static List<Long> items(int n) {
        return LongStream.range(0, n).boxed().toList();
    }

    private static long[] intervals(List<Long> at) {
        long[] d = new long[at.size() - 1];
        for (int i = 1; i < at.size(); i++) {
            d[i - 1] = at.get(i) - at.get(i - 1);
        }
        Arrays.sort(d);
        return d;
    }

    private static double p50(long[] sorted) {
        return sorted[sorted.length / 2] / 1e6;
    }

    /** How to read the figures, and the lease's trade-off, with the ratios of this run. */
    static String reading(double file, double[] rates, double fileP50, double pgP50, long[] leases, long[] takeovers) {
        StringBuilder t = new StringBuilder();
        for (int k = 0; k < leases.length; k++) {
            t.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", takeovers[k] / (double) leases[k]));
        }
        return String.format(Locale.ROOT, "Reading it: items/s of a cluster job count from the first claim to the"
                + " last completion as the database sees it, worker JVM warm-up included. The file-based job ran"
                + " %.1fx the rate of one worker JVM here, %.1f µs more per item, of which a chunk's commit (p50"
                + " below, shared by 500 items) is %.1f µs; the rest was not profiled: the candidates are the output"
                + " rows' batch insert, the per-item bookkeeping and each claim's own connections. 2 and 4 worker JVMs"
                + " ran %.2fx and"
                + " %.2fx the rate of one: on two shared cores more worker JVMs mostly add contention; the point of"
                + " more workers is more machines, and surviving the loss of one. Checkpoint commit: the time between"
                + " checkpoints of a job that checkpoints after every item (a chunk of one item), item overhead"
                + " included; PostgreSQL's p50 is %.2fx the file store's (one WAL flush and a round trip against two"
                + " fsyncs and a rename). Takeover: from the kill -9 to the waiting worker's claim (the row's epoch"
                + " raised), %s of the lease for the leases above: about one lease, since the dead worker renewed at"
                + " most a third of a lease before it died and the waiting worker retries its claim every 500 ms."
                + " The lease is the trade-off: a shorter one moves a dead worker's partition sooner, and takes the"
                + " partition from a live worker that pauses (GC, a frozen VM, a network partition) for longer than"
                + " it; its open chunk is then redone elsewhere, never written twice (J5). jobs-postgres defaults to"
                + " 30 s.", file / rates[0], 1e6 / rates[0] - 1e6 / file, pgP50 * 1e3 / 500, rates[1] / rates[0], rates[2] / rates[0], pgP50 / fileP50, t);
    }

    private static String latencies(long[] sorted) {
        return String.format(Locale.ROOT, "%.2f ms | %.2f ms", sorted[sorted.length / 2] / 1e6,
                sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6);
    }
}
