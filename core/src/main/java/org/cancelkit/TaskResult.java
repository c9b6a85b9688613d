package org.cancelkit;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one task of a {@link TaskGroup} ended: its name, its outcome, how long it ran (on the group's
 * clock), and its value or exception.
 *
 * @param name the name it was forked with
 * @param outcome how it ended
 * @param duration from the start of its body (or its fork, if it never started) to its end
 * @param value what the body returned, for a successful outcome (may be null when the body returned null)
 * @param failure what the body threw, for {@link TaskOutcome#FAILED} and {@link TaskOutcome#CANCELLED_WHILE_RUNNING}
 * @param stack where an {@link TaskOutcome#ABANDONED} task was stuck; empty otherwise
 */
public record TaskResult(String name, TaskOutcome outcome, Duration duration, @Nullable Object value,
                         @Nullable Throwable failure, StackTraceElement[] stack) {

    /** Validates the parts. */
    public TaskResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(duration, "duration");
        stack = stack.clone();
    }

    /**
     * Returns what the body threw, if it did.
     *
     * @return the failure
     */
    public Optional<Throwable> failureIfAny() {
        return Optional.ofNullable(failure);
    }

    /**
     * Returns where an abandoned task was stuck.
     *
     * @return a copy of the stack; empty unless {@link TaskOutcome#ABANDONED}
     */
    @Override
    public StackTraceElement[] stack() {
        return stack.clone();
    }

    @Override
    public String toString() {
        return name + ": " + outcome + " after " + Durations.format(duration)
                + (failure != null ? " (" + failure + ")" : "");
    }
}
