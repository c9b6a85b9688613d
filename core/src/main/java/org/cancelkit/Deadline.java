package org.cancelkit;

import java.time.Duration;
import java.util.Objects;

/**
 * An instant on a {@link MonotonicClock} by which work should be done: what a token's
 * {@link CancellationToken#deadline()} returns and what {@link CancellationToken#child(Deadline)}
 * takes, instead of raw nanosecond readings.
 *
 * {@snippet :
 * Deadline d = Deadline.after(Duration.ofMillis(150));
 * try (CancellationSource call = CancellationSource.create().child(d)) {
 *     // ... d.remaining() shrinks as time passes; d.isExpired() once it has come
 * }
 * }
 *
 * <p>Deadlines on one clock are ordered ({@link #compareTo}); deadlines on different clocks cannot
 * be compared (a virtual clock's readings mean nothing on the system clock). A deadline too far away
 * to represent saturates. Immutable and thread-safe.
 */
public final class Deadline implements Comparable<Deadline> {
    private final MonotonicClock clock;
    private final long nanos;

    Deadline(MonotonicClock clock, long nanos) {
        this.clock = clock;
        this.nanos = nanos;
    }

    /**
     * Returns the deadline {@code timeout} from now on the clock of the running code: the clock of the
     * token it is bound to, else {@link MonotonicClock#current()}. So inside code bound to a token on
     * a test clock ({@code VirtualClock}), the deadline is on that clock, and {@code child(Deadline)} accepts it.
     *
     * @param timeout not negative; zero is already expired; huge values saturate
     * @return the deadline
     */
    public static Deadline after(Duration timeout) {
        return after(timeout, Binding.currentClock());
    }

    /**
     * Returns the deadline {@code timeout} from now on {@code clock}.
     *
     * @param timeout not negative; zero is already expired; huge values saturate
     * @param clock the clock it is on
     * @return the deadline
     */
    public static Deadline after(Duration timeout, MonotonicClock clock) {
        Durations.requireTimeout(timeout, "timeout");
        Objects.requireNonNull(clock, "clock");
        return new Deadline(clock, Durations.deadlineAfter(clock.nanoTime(), Durations.toNanosSaturated(timeout)));
    }

    /**
     * Returns the clock this deadline is on.
     *
     * @return the clock this deadline is on
     */
    public MonotonicClock clock() {
        return clock;
    }

    long nanos() {
        return nanos;
    }

    /**
     * Returns the time left, zero once the deadline has come.
     *
     * @return the time left, zero once the deadline has come
     */
    public Duration remaining() {
        long left = nanos - clock.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    /**
     * Returns true once the deadline has come.
     *
     * @return true once the deadline has come
     */
    public boolean isExpired() {
        return nanos - clock.nanoTime() <= 0;
    }

    /**
     * Returns the earlier of this deadline and {@code other}.
     *
     * @param other a deadline on the same clock
     * @return the earlier of the two
     * @throws IllegalArgumentException when {@code other} is on another clock
     */
    public Deadline earlier(Deadline other) {
        return compareTo(other) <= 0 ? this : other;
    }

    /**
     * Orders deadlines on one clock, earlier first.
     *
     * @throws IllegalArgumentException when {@code other} is on another clock
     */
    @Override
    public int compareTo(Deadline other) {
        Objects.requireNonNull(other, "other");
        if (other.clock != clock) {
            throw new IllegalArgumentException("cannot compare deadlines on different clocks (" + clock + " and "
                    + other.clock + "); compare their remaining() instead");
        }
        return Long.compare(nanos, other.nanos);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Deadline d && d.clock == clock && d.nanos == nanos;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(nanos) * 31 + System.identityHashCode(clock);
    }

    @Override
    public String toString() {
        return isExpired() ? "Deadline[expired]" : "Deadline[in " + Durations.format(remaining()) + "]";
    }
}
