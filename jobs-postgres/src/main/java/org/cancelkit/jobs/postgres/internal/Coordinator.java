package org.cancelkit.jobs.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * One worker's link to the job while it works: a thread of its own, on a connection of its own, that
 * <ol>
 *   <li>listens for the job's notifications ({@code LISTEN}): a cancel reaches the worker as soon as it
 *       is committed, and a released partition wakes a waiting claim;</li>
 *   <li>polls the job's cancel flag every {@code pollEvery} as well, so a lost notification (a
 *       connection that broke, a data source that is not pgjdbc's) delays a cancel by at most that;</li>
 *   <li>renews the held lease every third of its length; when the renewal finds the lease taken, or
 *       cannot reach the database for a whole lease, it cancels the partition's token hard, so the
 *       worker stops (its commit would be refused by the fence anyway).</li>
 * </ol>
 * A job cancel is passed on as a soft cancel of the worker's token with the requested grace (C8).
 *
 * <p>Fields written by the worker thread ({@link #hold}, {@link #close}) are volatile and read by the
 * coordinator's thread; everything else is confined to the coordinator's thread.
 */
public final class Coordinator implements AutoCloseable {
    private final DataSource dataSource;
    private final Tables tables;
    private final String jobId;
    private final CancellationSource worker;
    private final Duration lease;
    private final Duration pollEvery;
    private final BlockingQueue<String> released = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile @Nullable Held held;
    private volatile boolean cancelSeen;

    /** A lease and the token that stops its partition. */
    private static final class Held {
        final Lease lease;
        final CancellationSource partition;
        /** Coordinator thread only. */
        long renewedAt = System.nanoTime();
        volatile boolean lost;

        Held(Lease lease, CancellationSource partition) {
            this.lease = lease;
            this.partition = partition;
        }
    }

    /**
     * Starts the coordinator of one worker.
     *
     * @param dataSource where its connection comes from
     * @param tables the tables
     * @param jobId the job
     * @param worker the worker's token, cancelled softly when the job is cancelled
     * @param lease the lease length
     * @param pollEvery how often the cancel flag is polled
     */
    public Coordinator(DataSource dataSource, Tables tables, String jobId, CancellationSource worker, Duration lease,
            Duration pollEvery) {
        this.dataSource = dataSource;
        this.tables = tables;
        this.jobId = jobId;
        this.worker = worker;
        this.lease = lease;
        this.pollEvery = pollEvery;
        this.thread = Thread.ofVirtual().name("cancelkit-job-" + jobId + "-coordinator").start(this::loop);
    }

    /**
     * The worker holds a lease now (null: none).
     *
     * @param lease the lease, or null
     * @param partition the partition's token, cancelled hard if the lease is lost
     */
    public void hold(@Nullable Lease lease, @Nullable CancellationSource partition) {
        held = lease == null || partition == null ? null : new Held(lease, partition);
    }

    /**
     * Returns whether the coordinator found the held lease taken or unrenewable.
     *
     * @return whether the lease was lost
     */
    public boolean leaseLost() {
        Held h = held;
        return h != null && h.lost;
    }

    /**
     * Returns whether a cancel of the job was seen.
     *
     * @return whether a cancel of the job was seen
     */
    public boolean cancelSeen() {
        return cancelSeen;
    }

    /**
     * Waits until a partition is released or {@code timeout} has passed.
     *
     * @param timeout the longest wait
     * @throws InterruptedException when interrupted
     */
    public void awaitRelease(Duration timeout) throws InterruptedException {
        released.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void loop() {
        Connection c = null;
        PGConnection pg = null;
        long nextPoll = 0;
        while (running) {
            try {
                if (c == null) {
                    c = dataSource.getConnection();
                    if (Seams.listen) {
                        try (Statement s = c.createStatement()) {
                            s.execute("LISTEN " + tables.channel()); // rule 1 of Tables: a validated identifier
                        }
                        pg = c.isWrapperFor(PGConnection.class) ? c.unwrap(PGConnection.class) : null;
                    }
                    nextPoll = 0; // notifications sent before LISTEN are lost: poll at once
                }
                boolean hint = false;
                long wait = Math.max(1, Math.min(pollEvery.toMillis(), lease.toMillis() / 6));
                if (pg != null) {
                    PGNotification[] ns = pg.getNotifications((int) Math.min(Integer.MAX_VALUE, wait));
                    for (PGNotification n : ns == null ? new PGNotification[0] : ns) {
                        if (n.getParameter().equals("cancel " + jobId)) {
                            hint = true;
                        } else if (n.getParameter().equals("released " + jobId)) {
                            released.offer("released");
                        }
                    }
                } else {
                    Thread.sleep(wait);
                }
                long now = System.nanoTime();
                if (!cancelSeen && (hint || now - nextPoll >= 0)) {
                    Claims.CancelRequest r = Claims.cancelRequest(c, tables, jobId);
                    nextPoll = now + pollEvery.toNanos();
                    if (r != null) {
                        cancelSeen = true;
                        worker.cancel(CancelReason.requested("job '" + jobId + "' was cancelled: " + r.reason()),
                                r.grace());
                    }
                }
                renew(c);
            } catch (SQLException | RuntimeException e) {
                close(c);
                c = null;
                pg = null;
                giveUpIfExpired();
                pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // only close() interrupts this thread: kept set, the loop ends
                running = false;
            }
        }
        close(c);
    }

    private void renew(Connection c) throws SQLException {
        Held h = held;
        if (h == null || h.lost || System.nanoTime() - h.renewedAt < lease.toNanos() / 3) {
            return;
        }
        if (Claims.renew(c, tables, h.lease, lease)) {
            h.renewedAt = System.nanoTime();
        } else if (held == h) {
            h.lost = true;
            h.partition.cancel(CancelReason.requested("the lease of job '" + jobId + "', partition "
                    + h.lease.partition() + " (epoch " + h.lease.epoch() + ") was taken over by another worker"));
        }
    }

    /** Without the database for a whole lease, the lease has expired on the server: stop the partition. */
    private void giveUpIfExpired() {
        Held h = held;
        if (h != null && !h.lost && System.nanoTime() - h.renewedAt >= lease.toNanos()) {
            h.lost = true;
            h.partition.cancel(CancelReason.requested("the lease of job '" + jobId + "', partition "
                    + h.lease.partition() + " could not be renewed for " + lease + ": the database was unreachable"));
        }
    }

    private void pause() {
        try {
            Thread.sleep(pollEvery.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // only close() interrupts this thread: kept set, the loop ends
            running = false;
        }
    }

    private static void close(@Nullable Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // the connection is broken already; the pool or the server drops it
            }
        }
    }

    /** Stops the thread and waits for it (through interrupts, then restores the flag). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting: the thread must not outlive the worker; restored below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
