package org.cancelkit.http;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import org.cancelkit.MonotonicClock;

/**
 * A {@link java.time.Clock} view of a cancelkit {@link MonotonicClock}, for Resilience4j's
 * {@code CircuitBreakerConfig.Builder.clock(Clock)}: a breaker on a {@code VirtualClock}
 * moves from open to half-open when the test advances the clock, not when real time passes.
 *
 * {@snippet :
 * VirtualClock clock = VirtualClock.create();
 * CircuitBreaker breaker = CircuitBreaker.of("users", CircuitBreakerConfig.custom()
 *         .clock(BreakerClocks.of(clock))
 *         .waitDurationInOpenState(Duration.ofSeconds(30))
 *         .build());
 * }
 *
 * <p>The instant is the epoch plus the monotonic reading: only differences mean anything. Thread-safe.
 */
public final class BreakerClocks {
    private BreakerClocks() {}

    /**
     * Returns a clock that reads {@code clock}.
     *
     * @param clock the monotonic clock to follow
     * @return a UTC {@link Clock} whose instants move with {@code clock}
     */
    public static Clock of(MonotonicClock clock) {
        return new Monotonic(Objects.requireNonNull(clock, "clock"));
    }

    private static final class Monotonic extends Clock {
        private final MonotonicClock clock;

        Monotonic(MonotonicClock clock) {
            this.clock = clock;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            if (!zone.equals(ZoneOffset.UTC)) {
                throw new UnsupportedOperationException("a monotonic clock has no time zone; use UTC");
            }
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.EPOCH.plusNanos(clock.nanoTime());
        }

        @Override
        public long millis() {
            return Math.floorDiv(clock.nanoTime(), 1_000_000L);
        }
    }
}
