package org.cancelkit.grpc;

import io.grpc.Status;
import org.cancelkit.CancelReason;

/** The status of a call its token stopped: the code says why, the description says the reason (G3). */
final class Statuses {
    private Statuses() {}

    static Status of(CancelReason reason, CallDeadline deadline) {
        return switch (reason.kind()) {
            case DEADLINE -> Status.DEADLINE_EXCEEDED.withDescription("deadline passed: " + deadline.origin());
            case SHUTDOWN -> Status.UNAVAILABLE.withDescription("the server is draining: " + reason.message());
            case REQUESTED -> Status.CANCELLED.withDescription(reason.message());
            default -> Status.CANCELLED.withDescription(reason.toString());
        };
    }
}
