package org.cancelkit;

import java.util.List;
import java.util.Optional;

/**
 * What a {@link TaskGroup}'s tasks did: each task's outcome, in fork order and in end order.
 *
 * @param tasks every task's result, in fork order
 * @param endOrder the same results in the order the tasks ended
 */
public record TaskReport(List<TaskResult> tasks, List<TaskResult> endOrder) {
    /** Copies the lists. */
    public TaskReport {
        tasks = List.copyOf(tasks);
        endOrder = List.copyOf(endOrder);
    }

    /**
     * Returns the names of the tasks that completed (before or after a cancel).
     *
     * @return the names, in fork order
     */
    public List<String> completed() {
        return names(t -> t.outcome().isSuccess());
    }

    /**
     * Returns the names of the tasks stopped by a cancel (before or while running).
     *
     * @return the names, in fork order
     */
    public List<String> cancelled() {
        return names(t -> t.outcome().isCancelled());
    }

    /**
     * Returns the names of the tasks that failed.
     *
     * @return the names, in fork order
     */
    public List<String> failed() {
        return names(t -> t.outcome() == TaskOutcome.FAILED);
    }

    /**
     * Returns the names of the tasks abandoned by a bounded close.
     *
     * @return the names, in fork order
     */
    public List<String> abandoned() {
        return names(t -> t.outcome() == TaskOutcome.ABANDONED);
    }

    /**
     * Returns the result of the task with this name.
     *
     * @param name a task's name
     * @return its result, if there is such a task
     */
    public Optional<TaskResult> get(String name) {
        return tasks.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    private List<String> names(java.util.function.Predicate<TaskResult> which) {
        return tasks.stream().filter(which).map(TaskResult::name).toList();
    }
}
