package org.cancelkit.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.jspecify.annotations.Nullable;

/**
 * The server's request tokens: one root, a child per request in flight, and the shutdown that
 * cancels them. The starter's filter opens a request's token here; Spring's graceful shutdown
 * drives {@link #beginShutdown} and {@link #finishShutdown} through two {@code SmartLifecycle}
 * phases.
 *
 * <p>Background work that should stop when the application shuts down can be made a child of
 * {@link #root()}. Thread-safe.
 */
public final class RequestTokens {
    private static final Log log = LogFactory.getLog(RequestTokens.class);

    /** What a shutdown did. */
    public enum Outcome {
        /** Every request in flight ended within the grace. */
        CLEAN,
        /** Some request had to be cancelled hard, or was still running at the end. */
        FORCED
    }

    /**
     * What a shutdown's request drain did.
     *
     * @param took from the soft cancel to the end of the drain
     * @param outcome clean or forced
     * @param inGrace requests that ended within the grace
     * @param afterHardCancel requests that ended after the hard cancel
     * @param abandoned requests still running when the drain ended
     */
    public record Report(Duration took, Outcome outcome, long inGrace, long afterHardCancel, long abandoned) {}

    /**
     * Written by Spring's lifecycle thread (a restart after a stop: {@link #renewAfterShutdown}); read
     * by request threads. A shutdown cancels it for good; a restart puts a new one in its place.
     */
    private volatile CancellationSource root = CancellationSource.create();
    private final ConcurrentHashMap<Long, LiveRequest> live = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong inGrace = new AtomicLong();
    private final AtomicLong afterHard = new AtomicLong();
    /** Written once by the shutdown thread; read by request threads ending. -1: no shutdown yet. */
    private volatile long softAtNanos = -1;
    /** Set once when the meters are bound; read by request threads. */
    private volatile RequestListener listener = RequestListener.NONE;
    /** Written by the shutdown thread. */
    private volatile @Nullable Report report;

    /** Creates the root; one per application. */
    public RequestTokens() {}

    /**
     * Returns the root token: every request's token is its child, and the shutdown cancels it. An
     * application context stopped and started again (Spring's {@code stop()}/{@code start()}, or a
     * test context paused and restarted) gets a new root when it starts: work bound to the old one
     * stays cancelled.
     *
     * @return the current root, read-only
     */
    public CancellationToken root() {
        return root.token();
    }

    /**
     * Returns how many requests are in flight.
     *
     * @return the number of requests in flight
     */
    public int liveCount() {
        return live.size();
    }

    /**
     * Returns up to {@code max} requests in flight, oldest first.
     *
     * @param max how many at most
     * @return the sample
     */
    public List<LiveRequest> sample(int max) {
        List<LiveRequest> all = new ArrayList<>(live.values());
        all.sort((a, b) -> Long.compare(a.id(), b.id()));
        return List.copyOf(all.subList(0, Math.min(max, all.size())));
    }

    /**
     * Returns the report of the last shutdown, once it has ended.
     *
     * @return the report, or null while none has ended
     */
    public @Nullable Report lastShutdown() {
        return report;
    }

    void listener(RequestListener l) {
        listener = Objects.requireNonNull(l, "listener");
    }

    /** A request's token and what ends it. Confined to the request (its threads in turn). */
    final class Opened {
        final CancellationSource source;
        final LiveRequest request;
        private final Runnable onEnd;
        /** The root this request was opened under (a restart replaces the current one). */
        private final CancellationSource parent;
        private boolean ended;

        Opened(CancellationSource source, LiveRequest request, Runnable onEnd, CancellationSource parent) {
            this.source = source;
            this.request = request;
            this.onEnd = onEnd;
            this.parent = parent;
        }

        /** Ends the request: counted, unlisted, its token closed. Idempotent. */
        void end() {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            onEnd.run(); // before the close, so that the close is not counted as a cancel
            source.close();
            live.remove(request.id());
            if (softAtNanos >= 0) {
                // The core says when the soft cancel hardened (its grace passed, or finishShutdown).
                (parent.isCancelledHard() ? afterHard : inGrace).incrementAndGet();
                synchronized (RequestTokens.this) {
                    RequestTokens.this.notifyAll();
                }
            }
        }
    }

    /** Opens a request: a child of the root with {@code deadline}. */
    Opened open(String method, String path, Duration deadline) {
        CancellationSource parent = root;
        CancellationSource source = parent.child(deadline);
        LiveRequest r = new LiveRequest(ids.incrementAndGet(), method, path, System.nanoTime(), source.token());
        live.put(r.id(), r);
        return new Opened(source, r, listener.started(source.token()), parent);
    }

    /**
     * Starts the shutdown: every request in flight is soft-cancelled with reason
     * {@link CancelReason.Kind#SHUTDOWN} and cancelled hard when {@code grace} has passed; requests
     * arriving from now on are refused.
     *
     * @param grace how long requests may take to finish on their own
     */
    public void beginShutdown(Duration grace) {
        synchronized (this) {
            if (softAtNanos >= 0) {
                return;
            }
            softAtNanos = System.nanoTime();
        }
        CancellationSource root = this.root;
        log.info("cancelkit: shutting down, " + live.size() + " requests in flight get " + grace + " to finish");
        root.cancel(CancelReason.shutdown("the application is shutting down"), grace);
    }

    /**
     * Ends the shutdown: cancels what is left hard, waits at most {@code hardWait} for it to end, and
     * reports.
     *
     * @param hardWait how long to wait for requests after the hard cancel
     * @return what the drain did
     */
    public Report finishShutdown(Duration hardWait) {
        if (softAtNanos < 0) {
            beginShutdown(Duration.ZERO);
        }
        CancellationSource root = this.root;
        root.cancel(CancelReason.shutdown("the application is shutting down")); // hardens a soft cancel at once
        long until = System.nanoTime() + hardWait.toNanos();
        boolean interrupted = false;
        synchronized (this) {
            while (!live.isEmpty() && until - System.nanoTime() > 0) {
                try {
                    wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true; // keep draining to the bound; the flag is restored below
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        long abandoned = live.size();
        long hard = afterHard.get();
        Report r = new Report(Duration.ofNanos(System.nanoTime() - softAtNanos),
                hard > 0 || abandoned > 0 ? Outcome.FORCED : Outcome.CLEAN, inGrace.get(), hard, abandoned);
        report = r;
        Map<String, Long> stopped = new LinkedHashMap<>();
        stopped.put("in_grace", r.inGrace());
        stopped.put("after_hard_cancel", r.afterHardCancel());
        stopped.put("abandoned", r.abandoned());
        listener.shutdown(r.took(), r.outcome().name().toLowerCase(java.util.Locale.ROOT), stopped);
        log.info("cancelkit: request drain " + r);
        if (abandoned > 0) {
            log.warn("cancelkit: " + abandoned + " requests still running after the hard cancel: " + sample(10));
        }
        return r;
    }

    /**
     * After a shutdown, when the application starts again: a new root, not cancelled, and the drain's
     * counts from zero; the last report stays readable. Does nothing if no shutdown has begun.
     * Called on Spring's lifecycle thread, while no shutdown runs.
     */
    synchronized void renewAfterShutdown() {
        if (softAtNanos < 0) {
            return;
        }
        root = CancellationSource.create();
        inGrace.set(0);
        afterHard.set(0);
        softAtNanos = -1;
        log.info("cancelkit: started again after a shutdown: a new root token for the requests");
    }
}
