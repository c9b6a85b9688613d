package org.cancelkit;

import org.jspecify.annotations.Nullable;

/** The clock and effective deadline of a node, shared by the nodes below it that add none (C3). */
final class Scope {
    static final long NONE = Long.MAX_VALUE;
    final MonotonicClock clock;
    final long deadline;
    /** The node whose own deadline this is; written once before the node is published. */
    @Nullable Node owner;
    /** Written once by the creating thread before it arms the entry. */
    NodeTimers.@Nullable DeadlineEntry entry;

    Scope(MonotonicClock clock, long deadline, @Nullable Node owner) {
        this.clock = clock;
        this.deadline = deadline;
        this.owner = owner;
    }
}
