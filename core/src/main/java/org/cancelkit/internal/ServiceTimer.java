package org.cancelkit.internal;

import java.util.Objects;
import org.cancelkit.spi.ClockService;
import org.cancelkit.spi.TimerTask;

/**
 * The timer of a clock over a {@link ClockService}: each entry is handed to the service as a
 * {@link TimerTask}, and the service decides when it fires. Only clocks over a service pay for the
 * wrapper; the system clock arms {@link SystemTimer} directly.
 */
public final class ServiceTimer implements Timer {
    private final ClockService service;

    /**
     * Creates the timer of a clock over {@code service}.
     *
     * @param service the service that fires the entries
     */
    public ServiceTimer(ClockService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    @Override
    public void arm(TimerEntry entry) {
        service.arm(new Task(entry));
    }

    /** An entry as the service sees it: its deadline, whether it is still wanted, and its firing. */
    private record Task(TimerEntry entry) implements TimerTask {
        @Override
        public long deadline() {
            return entry.deadline;
        }

        @Override
        public boolean isRetired() {
            return entry.isRetired();
        }

        @Override
        public void fire() {
            entry.fire();
        }
    }
}
