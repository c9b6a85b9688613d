package org.cancelkit;

import java.util.List;

/**
 * When a {@link TaskGroup} cancels the rest of its tasks, and what its {@link TaskGroup#join()}
 * makes of their results: a small value passed to {@link TaskGroup#open(CompletionPolicy)}, like the
 * JDK's {@code Joiner}.
 *
 * <p>Write your own by implementing both methods; they are called by the group one at a time (never
 * concurrently), {@link #onTaskEnded} on the thread of the task that ended.
 */
public interface CompletionPolicy {

    /**
     * A task has ended.
     *
     * @param ended how it ended
     * @param endedSoFar every task that has ended so far, in the order they ended, {@code ended} last
     * @return true to cancel every task that has not ended yet
     */
    boolean onTaskEnded(TaskResult ended, List<TaskResult> endedSoFar);

    /**
     * Every task has ended; decide what {@code join} does.
     *
     * @param report every task's result
     * @throws RuntimeException to make {@code join} fail, typically a {@link TaskFailedException}
     */
    void onJoin(TaskReport report);

    /**
     * The first failure cancels the other tasks, and {@code join} throws it (as a
     * {@link TaskFailedException} with the other failures suppressed).
     *
     * @return the policy
     */
    static CompletionPolicy failFast() {
        return Policies.FAIL_FAST;
    }

    /**
     * Every task runs to its own end; {@code join} reports every outcome and never throws for a task.
     *
     * @return the policy
     */
    static CompletionPolicy supervise() {
        return Policies.SUPERVISE;
    }

    /**
     * The first task to complete wins and the others are cancelled; {@code join} throws only when no
     * task completed: a {@link TaskFailedException} with every failure, or, when no task failed because
     * they were all cancelled, a {@link CancelledException} with the reason.
     *
     * @return the policy
     */
    static CompletionPolicy firstSuccess() {
        return Policies.FIRST_SUCCESS;
    }

    /**
     * The first task to end, whether it completed or failed, wins and the others are cancelled: the
     * race, like tokio's {@code select!}. {@link TaskGroup#race} uses it.
     *
     * @return the policy
     */
    static CompletionPolicy firstToEnd() {
        return Policies.FIRST_TO_END;
    }
}
