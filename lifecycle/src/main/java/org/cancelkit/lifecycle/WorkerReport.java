package org.cancelkit.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one worker ended.
 *
 * <p>Immutable and thread-safe.
 *
 * @param path the worker's name with its groups', e.g. {@code "pipeline/writer"}
 * @param outcome how it ended
 * @param grace the grace it was given (its own, cut short by the budget)
 * @param stopTime from the first cancel it got (soft or hard) to its end, or to the moment it was
 *     abandoned; zero when it ended before it was asked to stop
 * @param ran from its start to its end, or to the moment it was abandoned
 * @param failure what its body threw, for {@link WorkerOutcome#FAILED}; null otherwise
 * @param stack where its thread was when it was abandoned; empty otherwise
 */
public record WorkerReport(String path, WorkerOutcome outcome, Duration grace, Duration stopTime, Duration ran,
                           @Nullable Throwable failure, List<StackTraceElement> stack) {
    /**
     * Checks the fields and copies the stack.
     *
     * @param path non-null
     * @param outcome non-null
     * @param grace non-null
     * @param stopTime non-null
     * @param ran non-null
     * @param failure null unless failed
     * @param stack non-null
     */
    public WorkerReport {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(stopTime, "stopTime");
        Objects.requireNonNull(ran, "ran");
        stack = List.copyOf(Objects.requireNonNull(stack, "stack"));
    }

    /**
     * Returns the failure, for {@link WorkerOutcome#FAILED}.
     *
     * @return what the body threw, if it failed
     */
    public Optional<Throwable> failureIfAny() {
        return Optional.ofNullable(failure);
    }

    /**
     * Returns one line: path, outcome, times, and the failure or the top of the stack.
     *
     * @return the line
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(path).append(": ").append(describe(outcome));
        if (outcome != WorkerOutcome.ENDED_EARLY && outcome != WorkerOutcome.FAILED || !stopTime.isZero()) {
            b.append(" in ").append(ShutdownReport.millis(stopTime)).append(" (grace ")
                    .append(ShutdownReport.millis(grace)).append(')');
        }
        if (failure != null) {
            b.append(": ").append(failure);
        }
        stack.stream().filter(e -> !isJdk(e)).findFirst().or(() -> stack.stream().findFirst())
                .ifPresent(e -> b.append(" at ").append(e));
        return b.toString();
    }

    private static boolean isJdk(StackTraceElement e) {
        String c = e.getClassName();
        return c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.");
    }

    static String describe(WorkerOutcome o) {
        return switch (o) {
            case ENDED_EARLY -> "ended before the shutdown";
            case STOPPED_IN_GRACE -> "stopped in grace";
            case STOPPED_AFTER_HARD_CANCEL -> "stopped after hard cancel";
            case FAILED -> "FAILED";
            case ABANDONED -> "ABANDONED, still running";
        };
    }
}
