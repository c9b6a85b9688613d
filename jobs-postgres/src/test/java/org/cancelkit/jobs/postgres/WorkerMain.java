package org.cancelkit.jobs.postgres;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.Progress;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.cancelkit.jobs.postgres.internal.Seams;

/**
 * A worker process of the child-JVM tests. Prints {@code READY}, {@code CP} after each checkpoint,
 * {@code SEEN <epoch ms>} when its token first sees a cancel, and at the end {@code DONE} (exit 0),
 * {@code CANCELLED} (exit 3) or {@code LEASE-LOST <message>} (exit 4); anything else exits 1.
 *
 * <p>Arguments: prefix, job id, items, partitions, lease ms, items per checkpoint, pause per item in
 * microseconds, worker id, then flags: {@code nofence}, {@code noleasecheck}, {@code nooutput},
 * {@code announce} (prints {@code ITEM <index>} after each item's write) and {@code hold=<k>} (once this
 * worker has processed k items, every further item waits in a cancellation point until the job is
 * cancelled: the job cannot end before a test's cancel reaches it, however fast the machine),
 * {@code poll=<ms>} (how often the worker polls the job's cancel flag, {@code pollEvery}; 250 ms without
 * it) and {@code nolisten} (no LISTEN: the worker hears a cancel only by polling).
 */
public final class WorkerMain {
    private WorkerMain() {}

    /**
     * Runs one worker.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        String prefix = args[0];
        String jobId = args[1];
        int n = Integer.parseInt(args[2]);
        int partitions = Integer.parseInt(args[3]);
        Duration lease = Duration.ofMillis(Long.parseLong(args[4]));
        int every = Integer.parseInt(args[5]);
        long pauseMicros = Long.parseLong(args[6]);
        String worker = args[7];
        boolean output = true;
        boolean announce = false;
        long hold = Long.MAX_VALUE;
        Duration poll = Duration.ofMillis(250);
        for (int i = 8; i < args.length; i++) {
            switch (args[i]) {
                case "nofence" -> Seams.fencing = false;
                case "noleasecheck" -> Seams.leaseCheck = false;
                case "nooutput" -> output = false;
                case "announce" -> announce = true;
                case "nolisten" -> Seams.listen = false;
                case String f when f.startsWith("poll=") -> poll = Duration.ofMillis(Long.parseLong(f.substring(5)));
                case String f when f.startsWith("hold=") -> hold = Long.parseLong(f.substring(5));
                default -> throw new IllegalArgumentException("unknown flag " + args[i]);
            }
        }
        boolean announceItems = announce;
        long holdAfter = hold;
        java.util.concurrent.atomic.AtomicLong processed = new java.util.concurrent.atomic.AtomicLong();
        AtomicBoolean seen = new AtomicBoolean();
        AtomicReference<CancellationToken> watched = new AtomicReference<>();
        ClusterItemProcessor<Long, Tally> body = Fixtures.processor(prefix, worker, output);
        ClusterItemProcessor<Long, Tally> p = (index, item, tally, out, tx) -> {
            CancellationToken token = Cancellation.current(); // the partition's token: one callback on each
            if (!token.equals(watched.getAndSet(token))) {
                token.onCancel(() -> { // also run when the partition's token is closed: only the job's cancel counts
                    if (token.reason().map(r -> r.message().contains("was cancelled")).orElse(false)
                            && seen.compareAndSet(false, true)) {
                        System.out.println("SEEN " + System.currentTimeMillis());
                    }
                });
            }
            Tally t = body.process(index, item, tally, out, tx);
            if (announceItems) {
                System.out.println("ITEM " + index); // its row is in the chunk's open transaction
            }
            if (pauseMicros > 0) {
                Cancellation.sleep(Duration.ofNanos(pauseMicros * 1000));
            }
            if (processed.incrementAndGet() > holdAfter) {
                Cancellation.sleep(Duration.ofDays(1)); // ends only by the job's cancel (an ordered step)
            }
            return t;
        };
        ClusterJob<Long, Tally> job = ClusterJob.create(JobDatabase.of(Pg.dataSource(), prefix), jobId,
                Fixtures.items(n), partitions, Tally.class, Tally.ZERO, p)
                .withOptions(ClusterOptions.defaults().withLease(lease).withStalledTransactionTimeout(
                        Duration.ofSeconds(60)).withPollEvery(poll).withJob(JobOptions.defaults()
                        .withCheckpointEveryItems(every).withListener(pr -> {
                            if (pr.event() == Progress.Event.CHECKPOINT || pr.event() == Progress.Event.COMPLETED) {
                                System.out.println("CP");
                            }
                        })));
        System.out.println("READY");
        int status;
        try {
            job.submit();
            WorkerReport r = job.work(worker);
            System.out.println("DONE " + r);
            status = 0;
        } catch (CancelledException e) {
            System.out.println("CANCELLED " + e.getMessage());
            status = 3;
        } catch (LeaseLostException e) {
            System.out.println("LEASE-LOST " + e.getMessage());
            status = 4;
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }
}
