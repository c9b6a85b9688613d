package org.cancelkit;

import java.util.List;
import java.util.Objects;

/** {@link TaskGroup#race}: a group with the first-to-end policy. */
final class Races {
    private Races() {}

    @SuppressWarnings("unchecked")
    static <T> T race(List<? extends CheckedCallable<? extends T, ?>> bodies) throws InterruptedException {
        Objects.requireNonNull(bodies, "bodies");
        if (bodies.isEmpty()) {
            throw new IllegalArgumentException("race needs at least one contender");
        }
        try (TaskGroup group = TaskGroup.open(CompletionPolicy.firstToEnd())) {
            for (int i = 0; i < bodies.size(); i++) {
                group.fork("race-" + i, Objects.requireNonNull(bodies.get(i), "bodies[" + i + "]"));
            }
            TaskReport report = group.join();
            for (TaskResult r : report.endOrder()) {
                if (r.outcome().isSuccess()) {
                    return (T) r.value();
                }
                if (r.outcome() == TaskOutcome.FAILED && r.failure() != null) {
                    throw new TaskFailedException(r.name(), r.failure());
                }
            }
            group.token().throwIfCancelled();
            throw new CancelledException(group.token().reason().orElse(CancelReason.CLOSED));
        }
    }
}
