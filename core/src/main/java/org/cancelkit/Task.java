package org.cancelkit;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A handle on one task forked into a {@link TaskGroup}.
 *
 * <p>Thread-safe: any thread may ask; the result is published when the task's thread has ended its
 * body (happens-before a read that sees it).
 *
 * @param <T> the value of its body
 */
public final class Task<T> {
    private final String name;
    private volatile @Nullable TaskResult result;

    Task(String name) {
        this.name = name;
    }

    /**
     * Returns the name the task was forked with.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Tells whether the task has ended.
     *
     * @return true once it has
     */
    public boolean isDone() {
        return result != null;
    }

    /**
     * Returns how the task ended, once it has.
     *
     * @return the result, or empty while it runs
     */
    public Optional<TaskResult> result() {
        return Optional.ofNullable(result);
    }

    /**
     * Returns the value of a task that completed.
     *
     * @return what its body returned
     * @throws IllegalStateException when the task has not ended (join the group first) or did not
     *     complete; the message says how it ended
     */
    @SuppressWarnings("unchecked")
    public @Nullable T get() {
        TaskResult r = result;
        if (r == null) {
            throw new IllegalStateException("task '" + name + "' has not ended yet: call join() on its group first");
        }
        if (!r.outcome().isSuccess()) {
            throw new IllegalStateException("task '" + name + "' did not complete: " + r, r.failure());
        }
        return (T) r.value();
    }

    void publish(TaskResult r) {
        result = r;
    }

    @Override
    public String toString() {
        TaskResult r = result;
        return r == null ? "Task[" + name + ": running]" : "Task[" + r + "]";
    }
}
