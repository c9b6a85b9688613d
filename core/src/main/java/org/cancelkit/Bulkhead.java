package org.cancelkit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A concurrency limit whose permits are never leaked: a semaphore that cannot lose a permit when its
 * holder or a waiter is cancelled.
 *
 * {@snippet :
 * Bulkhead bulkhead = Bulkhead.of("payments", 10);
 * try (Bulkhead.Permit permit = bulkhead.acquire()) {   // waits at most until the current deadline
 *     return client.pay(order);
 * }                                                      // returned on every exit
 * // or simply
 * bulkhead.call(() -> client.pay(order));
 * }
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>{@link #acquire()} waits in arrival order, at most until the current deadline; it is a
 *       cancellation point (soft or hard). A waiter that is cancelled leaves the queue at once, and a
 *       permit handed to it in the same instant goes back: no permit is lost.</li>
 *   <li>A {@link Permit} is returned exactly once, when closed; closing it twice is harmless.</li>
 *   <li>{@link #statistics()} is a consistent snapshot: in use, waiting, rejected, and acquired.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class Bulkhead {
    private final String name;
    private final int limit;
    /** Guarded by this. */
    private int inUse;
    /** Guarded by this: waiters in arrival order. */
    private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
    /** Guarded by this. */
    private long rejected;
    /** Guarded by this. */
    private long acquired;

    /** One waiting caller: its {@code granted} token is cancelled when a permit is handed to it. */
    private static final class Waiting {
        final Node granted = Node.root(Binding.currentClock(), Scope.NONE);
        boolean handedOver;
    }

    private Bulkhead(String name, int limit) {
        this.name = name;
        this.limit = limit;
    }

    /**
     * Creates a bulkhead.
     *
     * @param name for messages and statistics
     * @param limit how many holders at once, at least 1
     * @return the bulkhead
     */
    public static Bulkhead of(String name, int limit) {
        Objects.requireNonNull(name, "name");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return new Bulkhead(name, limit);
    }

    /**
     * Creates an unnamed bulkhead.
     *
     * @param limit how many holders at once, at least 1
     * @return the bulkhead
     */
    public static Bulkhead of(int limit) {
        return of("bulkhead", limit);
    }

    /**
     * Takes a permit without waiting.
     *
     * @return the permit, or empty (counted as rejected) when none is free
     */
    public Optional<Permit> tryAcquire() {
        synchronized (this) {
            if (takeFree()) {
                return Optional.of(new Permit());
            }
            rejected++;
        }
        Emit.bulkheadRejected(name, limit, "full");
        return Optional.empty();
    }

    /** Takes a free permit if one is free and nobody queues before us; the caller holds this monitor. */
    private boolean takeFree() {
        if (inUse < limit && queue.isEmpty()) {
            inUse++;
            acquired++;
            return true;
        }
        return false;
    }

    /**
     * Takes a permit, waiting in arrival order at most until the current deadline.
     *
     * @return the permit; close it to give it back
     * @throws CancelledException when the current token is cancelled (or its deadline passes) first;
     *     counted as rejected
     * @throws InterruptedException when interrupted by someone other than cancelkit; counted as rejected
     */
    public Permit acquire() throws InterruptedException {
        enter();
        return acquireQueued();
    }

    /**
     * The cancellation point at the start of an acquisition: a caller whose token is cancelled gets
     * no permit.
     */
    private void enter() {
        CancellationPoints.reached();
        Node current = Binding.currentToken();
        if (current.isCancelled()) {
            synchronized (this) {
                rejected++;
            }
            Emit.bulkheadRejected(name, limit, "cancelled");
            current.throwIfCancelled();
        }
    }

    private Permit acquireQueued() throws InterruptedException {
        Waiting w;
        synchronized (this) {
            if (takeFree()) {
                return new Permit();
            }
            w = new Waiting();
            queue.addLast(w);
        }
        boolean done = false;
        try {
            Waits.await(w.granted, false); // enter() was this acquisition's cancellation point
            done = true;
            return new Permit();
        } finally {
            if (!done) {
                leave(w);
            }
        }
    }

    /**
     * Takes a permit, waiting at most {@code maxWait} (and at most until the current deadline).
     *
     * @param maxWait how long to wait
     * @return the permit, or empty (counted as rejected) when none came in time
     * @throws CancelledException when the current token is cancelled first
     * @throws InterruptedException when interrupted by someone other than cancelkit
     */
    public Optional<Permit> acquire(Duration maxWait) throws InterruptedException {
        Durations.requireTimeout(maxWait, "maxWait");
        enter();
        if (maxWait.isZero()) {
            return tryAcquire();
        }
        synchronized (this) {
            if (takeFree()) {
                return Optional.of(new Permit());
            }
        }
        return Timeout.callOrEmpty(maxWait, this::acquireQueued);
    }

    /** A waiter gives up: out of the queue, or, if a permit reached it meanwhile, the permit goes back. */
    private void leave(Waiting w) {
        boolean giveBack;
        synchronized (this) {
            rejected++;
            giveBack = w.handedOver;
            if (giveBack) {
                acquired--; // the permit never reached this caller: counted rejected, not acquired
            } else {
                queue.remove(w);
            }
        }
        w.granted.close();
        Emit.bulkheadRejected(name, limit, "gave up waiting");
        if (giveBack) {
            release();
        }
    }

    private void release() {
        Waiting next;
        synchronized (this) {
            next = queue.pollFirst();
            if (next == null) {
                inUse--;
                return;
            }
            next.handedOver = true; // the permit passes straight to the next waiter: inUse stays
            acquired++;
        }
        next.granted.cancel(CancelReason.requested("permit granted"));
    }

    /**
     * Runs {@code body} holding a permit.
     *
     * @param body the work
     * @param <T> its value
     * @param <X> what it may throw
     * @return what the body returned
     * @throws X what the body threw
     * @throws CancelledException when cancelled while waiting for a permit
     * @throws InterruptedException when interrupted while waiting for a permit
     */
    public <T, X extends Exception> T call(CheckedCallable<T, X> body) throws X, InterruptedException {
        Objects.requireNonNull(body, "body");
        Permit permit = acquire();
        try {
            return body.call();
        } finally {
            permit.close();
        }
    }

    /**
     * Returns a snapshot of the counters.
     *
     * @return the statistics
     */
    public Statistics statistics() {
        synchronized (this) {
            return new Statistics(name, limit, inUse, queue.size(), rejected, acquired);
        }
    }

    /**
     * A snapshot of a bulkhead.
     *
     * @param name its name
     * @param limit its limit
     * @param inUse permits held now
     * @param waiting callers waiting now
     * @param rejected acquisitions that gave up (none free, timed out, cancelled, interrupted) since creation
     * @param acquired permits handed out since creation
     */
    public record Statistics(String name, int limit, int inUse, int waiting, long rejected, long acquired) {}

    /** A held permit: close it to give it back. Returned exactly once, however often it is closed. */
    public final class Permit implements AutoCloseable {
        private final AtomicBoolean returned = new AtomicBoolean();

        private Permit() {}

        /** Gives the permit back; idempotent. */
        @Override
        public void close() {
            if (returned.compareAndSet(false, true)) {
                release();
            }
        }
    }

    @Override
    public String toString() {
        return "Bulkhead[" + statistics() + "]";
    }
}
