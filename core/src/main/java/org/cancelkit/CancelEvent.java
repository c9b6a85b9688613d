package org.cancelkit;

import java.time.Duration;

/**
 * Something cancelkit did, as seen by a listener registered with {@link CancelEvents#register}. The
 * same emission points also commit the JDK Flight Recorder events named in the nested types (see
 * {@code org/cancelkit/cancelkit.jfc}), so a recording and a listener see the same story.
 *
 * <p>The core's events are the records nested here; other cancelkit modules add their own records
 * (a shutdown phase in {@code lifecycle}, a checkpoint in {@code jobs}, a transaction's outcome in
 * {@code jdbc}), which is why this interface is open. Every event is immutable and thread-safe.
 *
 * <p>Times are read on the clock of the tree the event belongs to ({@link MonotonicClock}; a
 * testkit's {@code VirtualClock} in tests), in nanoseconds. No component is null unless it says so.
 */
public interface CancelEvent {

    /**
     * The event's name, as its Flight Recorder event is named ({@code org.cancelkit.TokenCancelled}).
     *
     * @return the event's name
     */
    String name();

    /**
     * A token was cancelled: {@code org.cancelkit.TokenCancelled}. Emitted once per cancel that took
     * effect, by the thread that cancelled, after the whole subtree was marked; and once more when a soft
     * cancel turns hard (its grace ran out, or a hard cancel arrived), with {@code hardening} true.
     * Closing a token (reason {@link CancelReason.Kind#CLOSED}, the normal end of a scope) is not reported.
     *
     * @param kind the reason's kind
     * @param message the reason's message
     * @param hard true for a hard cancel; false for a soft one (a grace period follows)
     * @param hardening true when this is an earlier soft cancel turning hard, not a new cancel
     * @param subtreeSize how many tokens this cancel marked (the token and its descendants); 0 for a
     *     hardening, whose tokens were counted when it was soft
     * @param propagationNanos how long marking the subtree took, on the real clock
     * @param at when it happened, on the token's clock
     */
    record TokenCancelled(CancelReason.Kind kind, String message, boolean hard, boolean hardening, int subtreeSize,
                          long propagationNanos, long at) implements CancelEvent {
        @Override
        public String name() {
            return "org.cancelkit.TokenCancelled";
        }
    }

    /**
     * A token's own deadline fired: {@code org.cancelkit.DeadlineFired}. A timeout, a child with a
     * deadline, a shield's budget; not the end of {@link Cancellation#sleep}, which is not an event.
     *
     * @param latenessNanos how long after the deadline it fired (zero or more)
     * @param at when it fired, on the token's clock
     */
    record DeadlineFired(long latenessNanos, long at) implements CancelEvent {
        @Override
        public String name() {
            return "org.cancelkit.DeadlineFired";
        }
    }

    /**
     * cancelkit interrupted a thread bound to a cancelled token: {@code org.cancelkit.InterruptDelivered}.
     * Reported before the interrupted region returns to its caller ({@link CancelEvents}, Order).
     *
     * @param thread the interrupted thread's name
     * @param kind the cancel's reason kind
     */
    record InterruptDelivered(String thread, CancelReason.Kind kind) implements CancelEvent {
        @Override
        public String name() {
            return "org.cancelkit.InterruptDelivered";
        }
    }

    /**
     * A shielded region was entered: the start of {@code org.cancelkit.Shield}.
     *
     * @param budget the shield's budget
     * @param at when, on the clock
     */
    record ShieldEntered(Duration budget, long at) implements CancelEvent {
        @Override
        public String name() {
            return "org.cancelkit.ShieldEntered";
        }
    }

    /**
     * A shielded region was left: {@code org.cancelkit.Shield}.
     *
     * @param budget the shield's budget
     * @param elapsedNanos how long the body ran, on the clock
     * @param overBudget true when the budget ran out before the body ended (it was cancelled)
     * @param at when, on the clock
     */
    record ShieldLeft(Duration budget, long elapsedNanos, boolean overBudget, long at) implements CancelEvent {
        @Override
        public String name() {
            return "org.cancelkit.Shield";
        }
    }

    /**
     * A cancel-action region ran its action or its escalation: {@code org.cancelkit.CancelAction}.
     *
     * @param escalation false for the action, true for the escalation
     * @param grace the region's grace before the escalation
     * @param failed true when the action or escalation threw
     */
    record CancelActionRan(boolean escalation, Duration grace, boolean failed) implements CancelEvent {
        @Override
        public String name() {
            return "org.cancelkit.CancelAction";
        }
    }

    /**
     * A task of a {@link TaskGroup} ended: {@code org.cancelkit.TaskEnded}.
     *
     * @param task the task's name
     * @param outcome how it ended
     * @param durationNanos how long it ran, on the group's clock
     */
    record TaskEnded(String task, TaskOutcome outcome, long durationNanos) implements CancelEvent {
        @Override
        public String name() {
            return "org.cancelkit.TaskEnded";
        }
    }

    /**
     * A task outlived its group's close grace and was left running: {@code org.cancelkit.TaskAbandoned}.
     *
     * @param task the task's name
     * @param runningNanos how long since it was forked, on the group's clock
     */
    record TaskAbandoned(String task, long runningNanos) implements CancelEvent {
        @Override
        public String name() {
            return "org.cancelkit.TaskAbandoned";
        }
    }

    /**
     * A {@link Bulkhead} turned a caller away: {@code org.cancelkit.BulkheadRejected}.
     *
     * @param bulkhead the bulkhead's name
     * @param limit its limit
     * @param why "full", "timed out", "cancelled" or "interrupted"
     */
    record BulkheadRejected(String bulkhead, int limit, String why) implements CancelEvent {
        @Override
        public String name() {
            return "org.cancelkit.BulkheadRejected";
        }
    }
}
