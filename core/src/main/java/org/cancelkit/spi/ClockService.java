package org.cancelkit.spi;

/**
 * What core consults for a clock other than the system clock: its time, its timer, and the events a
 * test clock needs to see (a thread parks in a cancelkit wait, a participant joins or leaves).
 *
 * <p>A clock over a service is a {@link org.cancelkit.MonotonicClock} subclass that passes the service
 * to {@link org.cancelkit.MonotonicClock#MonotonicClock(ClockService)}; the testing kit's
 * {@code org.cancelkit.testkit.VirtualClock} is one. Every deadline, {@code Cancellation.sleep} and
 * library wait of a token tree created while that clock is bound ({@link org.cancelkit.MonotonicClock#call})
 * reads {@link #nanoTime()} and is armed with {@link #arm}. The system clock has no service: core reads
 * {@link System#nanoTime()} and arms its own timer thread directly, so production code pays for none of
 * this.
 *
 * <p>Contract, in the order core relies on it:
 * <ol>
 *   <li>{@link #nanoTime()} never goes back.
 *   <li>{@link #arm} takes no lock that a {@link TimerTask#fire()} could need and returns at once; the
 *       service calls {@code fire()} once, after {@link #nanoTime()} has reached the task's deadline,
 *       unless {@link TimerTask#isRetired()} has become true. It may drop retired tasks unfired.
 *   <li>{@link #parked} and {@link #participants} are notifications: they must not block, and may be
 *       called from any thread, including from inside {@code fire()}.
 * </ol>
 *
 * <p>Implementations are thread-safe.
 */
public interface ClockService {
    /**
     * Reads the clock. Only differences between readings mean anything.
     *
     * @return the reading in nanoseconds
     */
    long nanoTime();

    /**
     * Arms a deadline of a token, a timeout or a cancel-action region on this clock.
     *
     * @param task what to fire once {@link #nanoTime()} reaches {@link TimerTask#deadline()}
     */
    void arm(TimerTask task);

    /**
     * Counts a thread entering ({@code +1}) or leaving ({@code -1}) a cancelkit wait on this clock
     * ({@code Cancellation.sleep}, {@code CancellationToken.awaitCancellation}, a task join). The
     * leaving call may come from the waking thread, before the waiter runs again.
     *
     * @param delta +1 or -1
     * @param participant whether the waiting thread is bound to this clock (see {@link #participants})
     */
    default void parked(int delta, boolean participant) {}

    /**
     * Counts a thread starting ({@code +1}) or ending ({@code -1}) its part in the code that runs on
     * this clock: a thread inside {@code MonotonicClock.call}, or started by
     * {@code MonotonicClock.startThread} or {@code TaskGroup.fork}. The {@code +1} of a started
     * thread comes before the thread runs.
     *
     * @param delta +1 or -1
     */
    default void participants(int delta) {}
}
