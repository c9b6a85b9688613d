package org.cancelkit.jobs.postgres;

import java.time.Duration;
import java.util.Objects;
import org.cancelkit.jdbc.JdbcOptions;
import org.cancelkit.jobs.JobOptions;

/**
 * How the workers of a {@link ClusterJob} checkpoint, hold leases and hear a cancel. Immutable;
 * {@code withX} returns a copy.
 *
 * <p>The trade-off in the lease: a killed worker's partition waits up to one {@code lease} before
 * another worker takes it over; a worker that pauses longer than {@code lease} (a GC pause, a frozen
 * VM, a network partition) loses its partition, and its uncommitted chunk is redone elsewhere. The
 * lease is renewed every third of its length.
 *
 * @param job the checkpoint cadence ({@code checkpointEveryItems}, {@code checkpointEvery}: a chunk of
 *        items is one transaction), the state version, the budget of the final checkpoint of a stopped
 *        partition, the clock, the progress listener (events per partition) and the largest
 *        partition checkpoint written or read ({@code maxCheckpointBytes})
 * @param lease how long a claim lasts unless renewed; at least 100 ms
 * @param pollEvery how often a worker polls the job's cancel flag and retries a claim, besides
 *        LISTEN/NOTIFY; positive
 * @param stalledTransactionTimeout the server ends a worker's session that stays idle inside a
 *        transaction this long ({@code idle_in_transaction_session_timeout}), so a frozen worker does
 *        not hold row locks for ever; longer than {@code lease}
 * @param jdbc how the chunk's transaction is cancelled, rolled back and committed
 */
public record ClusterOptions(JobOptions job, Duration lease, Duration pollEvery, Duration stalledTransactionTimeout,
        JdbcOptions jdbc) {

    /**
     * Validates the settings.
     *
     * @param job the checkpoint cadence and state version
     * @param lease how long a claim lasts unless renewed
     * @param pollEvery how often the cancel flag is polled
     * @param stalledTransactionTimeout when the server ends a stalled transaction
     * @param jdbc the transaction settings
     * @throws IllegalArgumentException when a duration is out of range
     */
    public ClusterOptions {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(pollEvery, "pollEvery");
        Objects.requireNonNull(stalledTransactionTimeout, "stalledTransactionTimeout");
        Objects.requireNonNull(jdbc, "jdbc");
        if (lease.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("lease must be at least 100 ms, was " + lease
                    + "; it must outlast the pauses of a healthy worker");
        }
        if (pollEvery.isNegative() || pollEvery.isZero()) {
            throw new IllegalArgumentException("pollEvery must be positive, was " + pollEvery);
        }
        if (stalledTransactionTimeout.compareTo(lease) <= 0) {
            throw new IllegalArgumentException("stalledTransactionTimeout (" + stalledTransactionTimeout
                    + ") must be longer than the lease (" + lease + "): a worker within its lease must keep its "
                    + "transaction");
        }
    }

    /**
     * Returns the defaults: {@link JobOptions#defaults()}, a 30 s lease, a poll every 500 ms, stalled
     * transactions ended after 90 s, {@link JdbcOptions#defaults()}.
     *
     * @return the defaults
     */
    public static ClusterOptions defaults() {
        return new ClusterOptions(JobOptions.defaults(), Duration.ofSeconds(30), Duration.ofMillis(500),
                Duration.ofSeconds(90), JdbcOptions.defaults());
    }

    /**
     * Returns a copy with other job options.
     *
     * @param options the checkpoint cadence, state version, clock and listener
     * @return a copy with other job options
     */
    public ClusterOptions withJob(JobOptions options) {
        return new ClusterOptions(options, lease, pollEvery, stalledTransactionTimeout, jdbc);
    }

    /**
     * Returns a copy with another lease length, and a stalled-transaction timeout of three leases.
     *
     * @param length how long a claim lasts unless renewed, at least 100 ms
     * @return a copy with another lease length
     */
    public ClusterOptions withLease(Duration length) {
        Objects.requireNonNull(length, "length");
        return new ClusterOptions(job, length, pollEvery, length.multipliedBy(3), jdbc);
    }

    /**
     * Returns a copy that polls the cancel flag at another interval.
     *
     * @param interval the poll interval, positive
     * @return a copy that polls at another interval
     */
    public ClusterOptions withPollEvery(Duration interval) {
        return new ClusterOptions(job, lease, interval, stalledTransactionTimeout, jdbc);
    }

    /**
     * Returns a copy with another stalled-transaction timeout.
     *
     * @param timeout longer than the lease
     * @return a copy with another stalled-transaction timeout
     */
    public ClusterOptions withStalledTransactionTimeout(Duration timeout) {
        return new ClusterOptions(job, lease, pollEvery, timeout, jdbc);
    }

    /**
     * Returns a copy with other transaction settings.
     *
     * @param options the transaction settings
     * @return a copy with other transaction settings
     */
    public ClusterOptions withJdbc(JdbcOptions options) {
        return new ClusterOptions(job, lease, pollEvery, stalledTransactionTimeout, options);
    }
}
