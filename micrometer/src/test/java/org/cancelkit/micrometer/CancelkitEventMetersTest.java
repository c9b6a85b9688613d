package org.cancelkit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.cancelkit.CancelReason;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CompletionPolicy;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.TaskGroup;
import org.cancelkit.Timeout;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * X2: the process-wide meters count what cancelkit did without the code going through
 * {@link CancelkitMeters}: timeouts fired, cancels by reason kind and phase, shields within and over
 * budget, task outcomes of any group. Negative control: after {@code close()} nothing more is counted.
 */
class CancelkitEventMetersTest {
    private final MeterRegistry registry = new SimpleMeterRegistry();

    private double count(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private static void work(VirtualClock clock) throws Exception {
        clock.run(() -> {
            assertThatThrownBy(() -> Timeout.run(Duration.ofMillis(100), () -> Cancellation.sleep(Duration.ofHours(1))))
                    .isInstanceOf(DeadlineExceededException.class);
            Timeout.run(Duration.ofSeconds(1), () -> { }); // does not fire: not counted
            Cancellation.shielded(Duration.ofSeconds(1), () -> Cancellation.sleep(Duration.ofMillis(10)));
            assertThatThrownBy(() -> Cancellation.shielded(Duration.ofMillis(50), () -> Cancellation.sleep(Duration.ofHours(1))))
                    .isInstanceOf(DeadlineExceededException.class);
            try (TaskGroup g = TaskGroup.open(CompletionPolicy.supervise())) {
                g.fork("ok", () -> 1);
                g.fork("bad", () -> {
                    throw new IllegalStateException("boom");
                });
                g.join();
            }
        });
        CancellationSource s = CancellationSource.create();
        s.cancel(CancelReason.shutdown("drain"), Duration.ofSeconds(5));
        s.cancel(); // turns hard: not a second cancel
    }

    @Test
    @DisplayName("X2: timeouts fired, cancels by reason and phase, shields, task outcomes of any group")
    void countsWhatTheLibraryDid() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        try (var _ = CancelkitEventMeters.register(registry)) {
            work(clock);
        }
        assertThat(count("cancelkit.process.deadlines.fired")).as("the timeout and the over-budget shield; sleeps "
                + "ending are not deadlines firing").isEqualTo(2);
        assertThat(count("cancelkit.process.cancels", "reason", "deadline", "phase", "hard")).isEqualTo(2);
        assertThat(count("cancelkit.process.cancels", "reason", "shutdown", "phase", "soft")).isEqualTo(1);
        assertThat(count("cancelkit.process.cancels", "reason", "shutdown", "phase", "hard")).isZero();
        assertThat(count("cancelkit.process.shields", "outcome", "within_budget")).isEqualTo(1);
        assertThat(count("cancelkit.process.shields", "outcome", "over_budget")).isEqualTo(1);
        assertThat(count("cancelkit.process.tasks", "outcome", "completed")).isEqualTo(1);
        assertThat(count("cancelkit.process.tasks", "outcome", "failed")).isEqualTo(1);
        assertThat(count("cancelkit.process.tasks.abandoned")).isZero();
    }

    @Test
    @DisplayName("X2 negative control: once closed, nothing more is counted")
    void closedCountsNothing() throws Exception {
        CancelkitEventMeters.register(registry).close();
        work(VirtualClock.create().autoAdvance());
        assertThat(count("cancelkit.process.deadlines.fired")).isZero();
        assertThat(registry.find("cancelkit.process.cancels").counters()).isEmpty();
    }
}
