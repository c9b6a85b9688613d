package org.cancelkit.grpc;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link GrpcServer#drain} did (G4): every call that was in flight when it began or arrived
 * while it ran, and how each ended.
 *
 * @param grace the grace in-flight calls were given before their cancellation turned hard
 * @param took how long the drain took
 * @param calls each call's outcome, in the order the calls started
 * @param terminated true when the server and every handler had ended when the drain returned
 */
public record DrainReport(Duration grace, Duration took, List<CallOutcome> calls, boolean terminated) {

    /** Validates the parts and copies the list. */
    public DrainReport {
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(took, "took");
        calls = List.copyOf(calls);
    }

    /**
     * Returns the calls that ended the given way.
     *
     * @param kind how they ended
     * @return those calls, in the order they started
     */
    public List<CallOutcome> calls(CallOutcome.Kind kind) {
        return calls.stream().filter(c -> c.kind() == kind).toList();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("drain (grace " + CallDeadline.format(grace) + ") took "
                + CallDeadline.format(took) + (terminated ? "" : ", NOT terminated") + ":");
        for (CallOutcome c : calls) {
            b.append("\n  ").append(c);
        }
        return b.toString();
    }
}
