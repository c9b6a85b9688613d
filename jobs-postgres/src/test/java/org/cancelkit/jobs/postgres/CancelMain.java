package org.cancelkit.jobs.postgres;

import java.time.Duration;

/**
 * The fourth process of the cluster-cancel test: cancels a job and prints {@code SENT <epoch ms>} (taken
 * just before the request, after a first query has loaded the driver, so a worker's delay measured from
 * it includes the request's own time but not this JVM's start).
 *
 * <p>Arguments: prefix, job id, grace in ms.
 */
public final class CancelMain {
    private CancelMain() {}

    /**
     * Cancels the job.
     *
     * @param args prefix, job id, grace in ms
     * @throws Exception when the cancel fails
     */
    public static void main(String[] args) throws Exception {
        JobDatabase db = JobDatabase.of(Pg.dataSource(), args[0]);
        db.status(args[1]); // warm: the driver loaded and a first connection made, as in a running process
        long sent = System.currentTimeMillis();
        boolean cancelled = db.cancel(args[1], "cancelled from another process", Duration.ofMillis(Long.parseLong(
                args[2])));
        System.out.println("SENT " + sent + " " + cancelled);
    }
}
