package org.cancelkit.lifecycle.internal;

import java.time.Duration;
import java.util.function.Consumer;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.MonotonicClock;
import org.cancelkit.lifecycle.Worker;
import org.jspecify.annotations.Nullable;

/**
 * One running worker: its thread, its token, and how it ended.
 *
 * <p>Fields: {@link #thread} is written by the starting thread before the worker runs; the
 * {@code ended*} fields and {@link #failure} by the worker's thread before it cancels {@link #done}
 * (so whoever sees {@code done} cancelled sees them: the token's happens-before); {@link #softAt},
 * {@link #hardAt}, {@link #givenGrace} and {@link #senders} by the shutdown thread only, which alone reads them.
 */
public final class WorkerRun {
    /** The worker's name with its groups', e.g. {@code "pipeline/writer"}. */
    final String path;
    final Worker worker;
    /** Position in start order, counted over the whole tree. */
    final int startIndex;
    /**
     * A child of the group's (or application's) token; the body runs bound to it. Only the shutdown
     * (and the end of the body) cancels it: the body is given a read-only view.
     */
    final CancellationSource token;
    /** A root on the application's clock, cancelled once the body has ended: waiting for it is a cancelkit wait. */
    final CancellationSource done;
    final MonotonicClock clock;
    private final Consumer<WorkerRun> onEnd;
    volatile @Nullable Thread thread;
    volatile long startedAt;
    volatile long endedAt;
    /** True when the body ended while its token was not cancelled: it ended on its own. */
    volatile boolean endedUncancelled;
    volatile @Nullable Throwable failure;
    long softAt = Long.MAX_VALUE;
    long hardAt = Long.MAX_VALUE;
    long givenGrace = -1;
    /** The threads that sent this worker its cancels (Shutdown, rule 5); the shutdown thread's alone. */
    final java.util.List<Shutdown.Sender> senders = new java.util.ArrayList<>(2);

    WorkerRun(String path, Worker worker, int startIndex, CancellationSource token, CancellationSource done,
              Consumer<WorkerRun> onEnd) {
        this.path = path;
        this.worker = worker;
        this.startIndex = startIndex;
        this.token = token;
        this.done = done;
        this.clock = token.clock();
        this.onEnd = onEnd;
        this.startedAt = clock.nanoTime();
    }

    /**
     * Returns the worker's path.
     *
     * @return e.g. {@code "pipeline/writer"}
     */
    public String path() {
        return path;
    }

    /**
     * Returns what the body threw, once it has ended with a failure.
     *
     * @return the failure, or null
     */
    public @Nullable Throwable failure() {
        return failure;
    }

    boolean isDone() {
        return done.isCancelled();
    }

    Duration grace() {
        return worker.grace();
    }

    /** The worker's thread: runs the body bound to the token, never throws. */
    void run() {
        startedAt = clock.nanoTime();
        Throwable f = null;
        try {
            CancellationToken view = token.token(); // the body may observe its token, not cancel it
            token.run(() -> worker.body().run(view));
        } catch (CancelledException e) {
            if (!token.isCancelled()) {
                f = e; // a cancellation of something else inside the body: its own failure
            }
        } catch (Throwable e) {
            f = e;
        }
        endedUncancelled = !token.isCancelled();
        failure = f;
        endedAt = clock.nanoTime();
        done.cancel("worker '" + path + "' ended"); // publishes the fields above
        token.close(); // unhooks it from its parent; the outcome was taken above
        onEnd.accept(this);
    }
}
