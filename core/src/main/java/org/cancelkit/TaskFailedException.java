package org.cancelkit;

import java.io.Serial;

/**
 * A task of a {@link TaskGroup} failed and the group's policy fails the join: the cause is what the
 * first failing task threw; the failures of the others are suppressed on this exception.
 */
public final class TaskFailedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String taskName;

    /**
     * Creates the exception.
     *
     * @param taskName the failing task
     * @param cause what it threw
     */
    public TaskFailedException(String taskName, Throwable cause) {
        super("task '" + taskName + "' failed: " + cause, cause);
        this.taskName = taskName;
    }

    /**
     * Returns the name of the task that failed first.
     *
     * @return the task's name
     */
    public String taskName() {
        return taskName;
    }
}
