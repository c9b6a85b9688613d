package org.cancelkit.grpc;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The calls of one {@link GrpcServer}: which are in flight, and, once a drain has begun, how each call
 * it concerns ended (G4).
 *
 * <p>Every field is guarded by {@link #lock}; an entry's fields too. Writers: the threads that start
 * and end calls (grpc-java's executor); readers: the draining thread.
 */
final class CallLedger {
    private final Object lock = new Object();
    private final Set<Entry> inFlight = new LinkedHashSet<>();
    private final List<Entry> drained = new ArrayList<>();
    private long drainStart = -1;

    Entry started(String method) {
        Entry e = new Entry(method);
        synchronized (lock) {
            inFlight.add(e);
            if (drainStart >= 0) {
                drained.add(e);
            }
        }
        return e;
    }

    int inFlight() {
        synchronized (lock) {
            return inFlight.size();
        }
    }

    /** Marks the start of a drain: the calls in flight now, and every later one, go into the report. */
    void beginDrain(long nanoTime) {
        synchronized (lock) {
            drainStart = nanoTime;
            drained.addAll(inFlight);
        }
    }

    /**
     * Waits until no call is in flight.
     *
     * @return true when none is, false when the time ran out first
     * @throws InterruptedException when interrupted
     */
    boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        synchronized (lock) {
            while (!inFlight.isEmpty()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000L));
            }
            return true;
        }
    }

    List<CallOutcome> outcomes() {
        synchronized (lock) {
            List<CallOutcome> out = new ArrayList<>(drained.size());
            for (Entry e : drained) {
                out.add(e.outcome());
            }
            return out;
        }
    }

    /** One call. */
    final class Entry {
        private final String method;
        private CallOutcome.@Nullable Kind kind;
        private @Nullable Status status;
        private long endedAt;

        private Entry(String method) {
            this.method = method;
        }

        /** Records the end of the call; only the first end counts. */
        void ended(Status status, CallOutcome.Kind kind) {
            synchronized (lock) {
                if (this.kind != null) {
                    return;
                }
                this.kind = kind;
                this.status = status;
                this.endedAt = System.nanoTime();
                inFlight.remove(this);
                lock.notifyAll();
            }
        }

        private CallOutcome outcome() { // under lock
            Status s = status;
            if (kind == null || s == null) {
                return new CallOutcome(method, CallOutcome.Kind.STILL_RUNNING, Status.Code.UNKNOWN, "", null);
            }
            String d = s.getDescription();
            return new CallOutcome(method, kind, s.getCode(), d == null ? "" : d,
                    Duration.ofNanos(Math.max(0, endedAt - drainStart)));
        }
    }
}
