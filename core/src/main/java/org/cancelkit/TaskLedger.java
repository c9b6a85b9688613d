package org.cancelkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The policy side of a {@link TaskGroup}: the results it keeps ({@link TaskHistory}), what its
 * {@link CompletionPolicy} made of each task's end, the tasks a bounded close gave up on, and the
 * report and verdict of a join. The group keeps the threads and the close protocol; this class
 * decides nothing about waiting and touches no token: {@link #taskEnded} says whether to cancel the
 * rest, and the group cancels.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>The policy's {@code onTaskEnded} runs for one task at a time, under this object's monitor,
 *       and sees a snapshot of the kept results.</li>
 *   <li>A policy that throws never keeps a task's end from completing: the rest are cancelled, the
 *       first throwable is kept (later ones are suppressed into it), and {@link #judge} reports it.</li>
 *   <li>A task the owner gave up on stays abandoned in every later report, even if it ends and
 *       records a result afterwards, and is listed once.</li>
 * </ol>
 *
 * <p>Fields: {@link #history} and {@link #policyFailure} are guarded by this object's monitor (task
 * threads write, the owner reads); {@link #abandoned} is the owner's alone.
 */
final class TaskLedger {
    private final CompletionPolicy policy;
    /** Guarded by this: the results the report keeps. */
    private final TaskHistory history;
    /** Guarded by this: what the policy's onTaskEnded threw, if it did. */
    private @Nullable Throwable policyFailure;
    /** Owner only: the tasks a bounded close gave up on, in fork order. */
    private final Map<Long, TaskResult> abandoned = new LinkedHashMap<>();

    TaskLedger(CompletionPolicy policy, int history) {
        this.policy = policy;
        this.history = new TaskHistory(history);
    }

    /**
     * Called on a task's thread when it has ended: records the result and consults the policy, one
     * task at a time (invariant 1). Returns why the rest are to be cancelled, or null to let them run.
     */
    @Nullable CancelReason taskEnded(long seq, TaskResult r) {
        synchronized (this) {
            history.record(seq, r);
            try {
                if (!policy.onTaskEnded(r, history.recent())) { // a snapshot view: O(1)
                    return null;
                }
            } catch (RuntimeException | Error e) {
                // invariant 2: the group is cancelled and join reports the policy's failure
                if (policyFailure == null) {
                    policyFailure = e;
                } else if (policyFailure != e) {
                    policyFailure.addSuppressed(e);
                }
                return CancelReason.requested("the completion policy failed");
            }
        }
        return r.outcome() == TaskOutcome.FAILED && r.failure() != null
                ? CancelReason.siblingFailed(r.failure())
                : CancelReason.requested("task '" + r.name() + "' ended first");
    }

    /** Owner only: a bounded close gave up on the task with fork order {@code seq} (invariant 3). */
    void abandon(long seq, TaskResult r) {
        abandoned.put(seq, r);
    }

    /** Owner only: the report: the kept results, then the abandoned tasks (invariant 3). */
    TaskReport report() {
        List<TaskHistory.Ended> kept;
        synchronized (this) {
            if (abandoned.isEmpty()) {
                TaskReport whole = history.reportIfWhole(); // the usual join: no sort, no lists to build
                if (whole != null) {
                    return whole;
                }
            }
            kept = history.kept();
        }
        List<TaskResult> endOrder = new ArrayList<>();
        List<TaskHistory.Ended> all = new ArrayList<>();
        for (TaskHistory.Ended e : kept) {
            if (!abandoned.containsKey(e.seq())) {
                endOrder.add(e.result());
                all.add(e);
            }
        }
        abandoned.forEach((seq, r) -> {
            all.add(new TaskHistory.Ended(seq, r));
            endOrder.add(r);
        });
        return new TaskReport(TaskHistory.inForkOrder(all), endOrder);
    }

    /**
     * Owner only, once every task has ended: fails the join when the policy threw (invariant 2), else
     * lets the policy judge the report.
     *
     * @throws IllegalStateException when the policy's {@code onTaskEnded} threw; the cause is what it threw
     * @throws TaskFailedException when the policy fails the join
     */
    void judge(TaskReport report) {
        Throwable broken;
        synchronized (this) {
            broken = policyFailure;
        }
        if (broken != null) {
            throw new IllegalStateException("the completion policy " + policy + " failed in onTaskEnded; the group was "
                    + "cancelled and every task has ended; fix the policy", broken);
        }
        policy.onJoin(report);
    }
}
