package org.cancelkit;

import java.time.Duration;
import jdk.jfr.FlightRecorder;
import org.cancelkit.internal.jfr.BulkheadRejectedEvent;
import org.cancelkit.internal.jfr.CancelActionEvent;
import org.cancelkit.internal.jfr.DeadlineFiredEvent;
import org.cancelkit.internal.jfr.InterruptDeliveredEvent;
import org.cancelkit.internal.jfr.ShieldEvent;
import org.cancelkit.internal.jfr.TaskAbandonedEvent;
import org.cancelkit.internal.jfr.TaskEndedEvent;
import org.cancelkit.internal.jfr.TokenCancelledEvent;
import org.jspecify.annotations.Nullable;

/**
 * The core's emission points: one method per event, called from the one place in the code where the
 * event happens. Each method feeds both the {@link CancelEvents} listeners and the Flight Recorder
 * event of the same name, and returns at once when neither is enabled: one static field read and
 * the recorder's enabled check (a JFR event object that does not escape is not allocated once
 * compiled).
 *
 * <p>Stateless; called on whatever thread the event happens on, outside node locks.
 */
final class Emit {
    private Emit() {}

    /**
     * Whether the Flight Recorder runs in this process. Until it does, no JFR event class is touched: the
     * first use of one loads and registers the recorder's machinery, some 100 ms that a first cancel
     * must not pay in a process that never records.
     */
    static boolean recording() {
        return FlightRecorder.isInitialized();
    }

    /** The start of a cancel's walk: the real clock when the cancel will be reported, else 0. */
    static long walkStart() {
        return CancelEvents.isObserved() || recording() && new TokenCancelledEvent().isEnabled() ? System.nanoTime() : 0;
    }

    /** A soft cancel of {@code node} turned hard, unless by a close; {@code walkStart} as for a cancel. */
    static void tokenHardened(Node node, Cancel c, CancelReason by, long walkStart) {
        if (by.kind() != CancelReason.Kind.CLOSED) {
            tokenCancelled(node, c, true, true, 0, walkStart);
        }
    }

    /** A cancel took effect at {@code node} and marked {@code marked} tokens; closing is not reported. */
    static void tokenCancelled(Node node, Cancel c, boolean hard, int marked, long walkStart) {
        tokenCancelled(node, c, hard, false, marked, walkStart);
    }

    private static void tokenCancelled(Node node, Cancel c, boolean hard, boolean hardening, int marked, long walkStart) {
        CancelReason r = c.reason;
        if (r.kind() == CancelReason.Kind.CLOSED || walkStart == 0 || node.scope.quiet()) {
            return; // a scope's normal end, or nobody was listening when the walk began
        }
        long took = System.nanoTime() - walkStart;
        TokenCancelledEvent e = recording() ? new TokenCancelledEvent() : null;
        if (e != null && e.shouldCommit()) {
            e.kind = r.kind().name();
            e.message = r.message();
            e.hard = hard;
            e.hardening = hardening;
            e.subtreeSize = marked;
            e.propagation = took;
            e.commit();
        }
        if (CancelEvents.isObserved()) {
            CancelEvents.publish(new CancelEvent.TokenCancelled(r.kind(), r.message(), hard, hardening, marked, took,
                    node.scope.clock.nanoTime()));
        }
    }

    /** {@code node}'s own deadline fired. */
    static void deadlineFired(Node node) {
        DeadlineFiredEvent e = recording() ? new DeadlineFiredEvent() : null;
        boolean observed = CancelEvents.isObserved();
        if (node.scope.quiet() || !observed && (e == null || !e.isEnabled())) {
            return;
        }
        long now = node.scope.clock.nanoTime();
        long lateness = Math.max(0, now - node.scope.deadline());
        if (e != null && e.shouldCommit()) {
            e.lateness = lateness;
            e.commit();
        }
        if (observed) {
            CancelEvents.publish(new CancelEvent.DeadlineFired(lateness, now));
        }
    }

    /** cancelkit interrupted {@code thread} for a cancel of {@code token}. */
    static void interruptDelivered(Thread thread, Node token) {
        InterruptDeliveredEvent e = recording() ? new InterruptDeliveredEvent() : null;
        boolean observed = CancelEvents.isObserved();
        if (!observed && (e == null || !e.isEnabled())) {
            return;
        }
        CancelReason r = token.reasonOrNull();
        CancelReason.Kind kind = r == null ? CancelReason.Kind.REQUESTED : r.kind();
        if (e != null && e.shouldCommit()) {
            e.interrupted = thread;
            e.kind = kind.name();
            e.commit();
        }
        if (observed) {
            CancelEvents.publish(new CancelEvent.InterruptDelivered(thread.getName(), kind));
        }
    }

    /** A shield in progress, while something listens. */
    static final class Span {
        final @Nullable ShieldEvent event = recording() ? new ShieldEvent() : null;
        final long start;

        Span(long start) {
            this.start = start;
        }
    }

    /** A shield with {@code budget} begins on {@code clock}; null when nothing listens. */
    static @Nullable Span shieldEntered(@Nullable Duration budget, MonotonicClock clock) {
        boolean observed = CancelEvents.isObserved();
        if (!observed && !(recording() && new ShieldEvent().isEnabled())) {
            return null;
        }
        Span s = new Span(clock.nanoTime());
        if (s.event != null) {
            s.event.begin();
        }
        if (observed && budget != null) {
            CancelEvents.publish(new CancelEvent.ShieldEntered(budget, s.start));
        }
        return s;
    }

    /** The shield begun as {@code span} ends; over budget when its deadline has passed. */
    static void shieldLeft(@Nullable Span span, @Nullable Duration budget, MonotonicClock clock, long deadline) {
        if (span == null || budget == null) {
            return;
        }
        long now = clock.nanoTime();
        boolean over = now >= deadline;
        ShieldEvent e = span.event;
        if (e != null) {
            e.end();
        }
        if (e != null && e.shouldCommit()) {
            e.budget = Durations.toNanosSaturated(budget);
            e.elapsed = now - span.start;
            e.overBudget = over;
            e.commit();
        }
        if (CancelEvents.isObserved()) {
            CancelEvents.publish(new CancelEvent.ShieldLeft(budget, now - span.start, over, now));
        }
    }

    /** A cancel-action region ran its action (or its escalation). */
    static void cancelAction(boolean escalation, CancelAction spec, boolean failed) {
        CancelActionEvent e = recording() ? new CancelActionEvent() : null;
        boolean observed = CancelEvents.isObserved();
        if (!observed && (e == null || !e.isEnabled())) {
            return;
        }
        if (e != null && e.shouldCommit()) {
            e.escalation = escalation;
            e.grace = Durations.toNanosSaturated(spec.grace());
            e.failed = failed;
            e.commit();
        }
        if (observed) {
            CancelEvents.publish(new CancelEvent.CancelActionRan(escalation, spec.grace(), failed));
        }
    }

    /** A task of a group ended with {@code r}. */
    static void taskEnded(TaskResult r) {
        TaskEndedEvent e = recording() ? new TaskEndedEvent() : null;
        boolean observed = CancelEvents.isObserved();
        if (!observed && (e == null || !e.isEnabled())) {
            return;
        }
        long nanos = Durations.toNanosSaturated(r.duration());
        if (e != null && e.shouldCommit()) {
            e.task = r.name();
            e.outcome = r.outcome().name();
            e.ran = nanos;
            e.commit();
        }
        if (observed) {
            CancelEvents.publish(new CancelEvent.TaskEnded(r.name(), r.outcome(), nanos));
        }
    }

    /** A task was abandoned with {@code r}. */
    static void taskAbandoned(TaskResult r) {
        TaskAbandonedEvent e = recording() ? new TaskAbandonedEvent() : null;
        boolean observed = CancelEvents.isObserved();
        if (!observed && (e == null || !e.isEnabled())) {
            return;
        }
        long nanos = Durations.toNanosSaturated(r.duration());
        if (e != null && e.shouldCommit()) {
            e.task = r.name();
            e.running = nanos;
            e.commit();
        }
        if (observed) {
            CancelEvents.publish(new CancelEvent.TaskAbandoned(r.name(), nanos));
        }
    }

    /** A bulkhead turned a caller away. */
    static void bulkheadRejected(String name, int limit, String why) {
        BulkheadRejectedEvent e = recording() ? new BulkheadRejectedEvent() : null;
        boolean observed = CancelEvents.isObserved();
        if (!observed && (e == null || !e.isEnabled())) {
            return;
        }
        if (e != null && e.shouldCommit()) {
            e.bulkhead = name;
            e.limit = limit;
            e.why = why;
            e.commit();
        }
        if (observed) {
            CancelEvents.publish(new CancelEvent.BulkheadRejected(name, limit, why));
        }
    }
}
