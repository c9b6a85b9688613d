package org.cancelkit.internal;

/** Where deadlines are armed: the system timer, or a clock service's timer. */
public sealed interface Timer permits SystemTimer, ServiceTimer {
    /**
     * Arms an entry. Takes no global lock and allocates nothing beyond the entry itself.
     *
     * @param entry the entry; armed at most once
     */
    void arm(TimerEntry entry);
}
