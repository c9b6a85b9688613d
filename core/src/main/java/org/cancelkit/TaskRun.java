package org.cancelkit;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The mechanics of one task: the thread, its token, and its end. A task's token is a child of its
 * group's token; its end is counted in the group's {@link TaskRuns}: on the system clock the owner
 * joins the thread, on a clock with a service it waits on the gate (a cancelkit wait: an
 * auto-advancing virtual clock keeps moving).
 *
 * <p>Fields are final except {@link #thread}, written by the owner before the thread starts,
 * {@link #ended}, set once at the end (volatile: a bounded close reads it to tell an abandoned task),
 * and the links of {@link TaskRuns}' two lists.
 */
final class TaskRun<T> {
    private static final StackTraceElement[] NO_STACK = new StackTraceElement[0];

    final TaskGroup group;
    final Task<T> handle;
    final CheckedCallable<? extends T, ?> body;
    final Node token;
    final long forkedAt;
    final long seq;
    /** The forking thread's context, applied around the body (ForkContext). */
    final ForkContext.Snapshot context;
    Thread thread;
    volatile boolean ended;
    /** The owner's live list ({@link TaskRuns}): the runs forked before and after this one. */
    @Nullable TaskRun<?> prevLive;
    @Nullable TaskRun<?> nextLive;
    /** The ending stack ({@link TaskRuns}): written by this task's thread before its push. */
    @Nullable TaskRun<?> nextEnding;

    TaskRun(TaskGroup group, String name, CheckedCallable<? extends T, ?> body, long seq) {
        this.group = group;
        this.handle = new Task<>(name);
        this.body = body;
        this.seq = seq;
        this.context = ForkContext.capture();
        this.token = group.node().newChild(Scope.NONE);
        this.forkedAt = group.clock().nanoTime();
    }

    /** The task's thread. Never throws: every outcome becomes a {@link TaskResult}. */
    void run() {
        MonotonicClock clock = group.clock();
        long start = clock.nanoTime();
        TaskResult r = null;
        try {
            if (token.isCancelled()) {
                r = result(TaskOutcome.CANCELLED_BEFORE_START, start, null, null);
                return;
            }
            try {
                T value = clock.service != null
                        ? ScopedValue.where(MonotonicClock.BOUND, clock).call(this::bound)
                        : bound();
                r = result(token.isCancelled() ? TaskOutcome.COMPLETED_AFTER_CANCEL : TaskOutcome.COMPLETED,
                        start, value, null);
            } catch (Throwable e) {
                boolean cancelled = token.isCancelled() && Binding.isCancellation(e);
                r = result(cancelled ? TaskOutcome.CANCELLED_WHILE_RUNNING : TaskOutcome.FAILED, start, null, e);
            }
        } finally {
            if (r == null) {
                r = result(TaskOutcome.FAILED, start, null, new IllegalStateException("task ended abnormally"));
            }
            end(r);
        }
    }

    private T bound() throws Exception {
        if (context.isEmpty()) { // no carrier was installed at the fork: nothing to apply around the body
            return Binding.callBound(token, body, Binding.Mode.BIND, null);
        }
        return context.call(() -> Binding.callBound(token, body, Binding.Mode.BIND, null));
    }

    /** Records the end: the handle, the policy, then the group's count, then the participant count. */
    void end(TaskResult r) {
        handle.publish(r);
        Emit.taskEnded(r);
        group.taskEnded(this, r);
        token.close();
        ended = true;
        group.ended(this);
        group.clock().participants(-1); // after the count: a joiner is woken before the clock may move
    }

    TaskResult result(TaskOutcome outcome, long startNanos, Object value, Throwable failure) {
        long end = group.clock().nanoTime();
        return new TaskResult(handle.name(), outcome, Duration.ofNanos(Math.max(0, end - startNanos)), value,
                failure, NO_STACK);
    }

    TaskResult abandoned() {
        Thread t = thread;
        StackTraceElement[] stack = t == null ? NO_STACK : t.getStackTrace();
        long end = group.clock().nanoTime();
        TaskResult r = new TaskResult(handle.name(), TaskOutcome.ABANDONED,
                Duration.ofNanos(Math.max(0, end - forkedAt)), null, null, stack);
        Emit.taskAbandoned(r);
        return r;
    }
}
