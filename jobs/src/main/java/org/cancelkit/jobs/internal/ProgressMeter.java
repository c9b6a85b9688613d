package org.cancelkit.jobs.internal;

import java.math.BigInteger;
import java.time.Duration;
import org.cancelkit.MonotonicClock;
import org.cancelkit.jobs.Progress;
import org.cancelkit.jobs.ProgressListener;
import org.jspecify.annotations.Nullable;

/**
 * Turns a run's counts and its clock into {@link Progress} events (J3): rate and ETA from the items
 * of this run and the time since it started, with integer arithmetic so that a scripted pace on a
 * virtual clock gives exact figures. Confined to the job's thread.
 */
final class ProgressMeter {
    private final MonotonicClock clock;
    private final ProgressListener listener;
    private final long total;
    /** Written once by {@link #start}; read by the job's thread. */
    private long startNanos;
    private long startDone;

    ProgressMeter(MonotonicClock clock, ProgressListener listener, long total) {
        this.clock = clock;
        this.listener = listener;
        this.total = total;
    }

    void start(long done) {
        startNanos = clock.nanoTime();
        startDone = done;
        emit(done == 0 ? Progress.Event.STARTED : Progress.Event.RESUMED, done);
    }

    void emit(Progress.Event event, long done) {
        listener.onProgress(progress(event, done, clock.nanoTime() - startNanos));
    }

    Progress progress(Progress.Event event, long done, long elapsedNanos) {
        long thisRun = done - startDone;
        double rate = thisRun == 0 || elapsedNanos <= 0 ? 0.0 : thisRun * 1e9 / elapsedNanos;
        @Nullable Duration eta;
        if (done == total) {
            eta = Duration.ZERO;
        } else if (thisRun == 0) {
            eta = null;
        } else {
            BigInteger nanos = BigInteger.valueOf(total - done).multiply(BigInteger.valueOf(elapsedNanos))
                    .divide(BigInteger.valueOf(thisRun));
            eta = nanos.bitLength() < 63 ? Duration.ofNanos(nanos.longValue()) : Duration.ofNanos(Long.MAX_VALUE);
        }
        return new Progress(event, done, total, thisRun, Duration.ofNanos(elapsedNanos), rate, eta);
    }
}
