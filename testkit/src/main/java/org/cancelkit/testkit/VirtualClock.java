package org.cancelkit.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancellationSource;
import org.cancelkit.CheckedRunnable;
import org.cancelkit.MonotonicClock;
import org.cancelkit.testkit.internal.ManualTimer;

/**
 * A clock that moves only when told to: for tests of timeouts, retries and shutdowns that run in
 * microseconds instead of minutes, and never flake.
 *
 * {@snippet :
 * VirtualClock clock = VirtualClock.create();
 * clock.run(() -> {
 *     CancellationSource token = CancellationSource.create().child(Duration.ofHours(1));
 *     clock.advance(Duration.ofMinutes(59));
 *     assert !token.isCancelled();
 *     clock.advance(Duration.ofMinutes(1));
 *     assert token.isCancelled();
 * });
 * }
 *
 * <p>A clock is bound for the code of one test with {@link #call}/{@link #run} (a {@link ScopedValue}),
 * so tests using different clocks run in parallel. Every deadline, {@code Cancellation.sleep} and
 * library wait of a token tree created inside the binding follows this clock. Timers fire on the
 * thread that advances the clock, in deadline order, and each sees {@link #nanoTime()} equal to its
 * deadline.
 *
 * <p>The clock is built on core's clock service provider interface ({@code org.cancelkit.spi}): core
 * hands it every deadline to fire and tells it when a thread parks in a cancelkit wait and when a
 * participant joins or leaves, which is what {@link #autoAdvance}, {@link #awaitParked} and
 * {@link #join} rely on.
 *
 * <p>What it cannot see: {@link Thread#sleep}, socket timeouts, JDBC query timeouts and any other
 * wait that does not go through cancelkit stay on real time.
 *
 * <p>Thread-safe. Memory consistency: actions before {@link #advance} happen-before the timers it
 * fires run.
 */
public final class VirtualClock extends MonotonicClock {
    private final ManualTimer timer;
    private final Map<Thread, CancellationSource> forks = new ConcurrentHashMap<>();

    private VirtualClock(ManualTimer timer) {
        super(timer);
        this.timer = timer;
    }

    /**
     * Returns a new clock reading zero.
     *
     * @return a new clock reading zero
     */
    public static VirtualClock create() {
        return new VirtualClock(new ManualTimer());
    }

    @Override
    public long nanoTime() {
        return timer.now();
    }

    /**
     * Turns on auto-advance, in the spirit of Trio's autojump clock: whenever every participant (a
     * thread inside {@link #call}/{@link #run} of this clock, or started by {@link #fork}) is parked
     * in a cancelkit wait, the clock jumps to the earliest pending deadline. A 1-hour timeout then
     * fires at once, while a body that computes or blocks outside cancelkit is never fast-forwarded.
     *
     * <p>A participant blocked in anything else ({@link Thread#join}, a latch, a socket read) counts
     * as busy and holds time still: join forked threads with {@link #join(Thread)}. A thread that is
     * not a participant (started with {@code Thread.start}) never moves the clock, even while it waits
     * on one of its tokens; {@link #awaitParked} still sees its wait.
     *
     * @return this clock
     */
    public VirtualClock autoAdvance() {
        timer.autoAdvance(true);
        return this;
    }

    /**
     * Starts a virtual thread that runs {@code body} bound to this clock, counted as a participant
     * from the moment this method returns until the body has ended.
     *
     * @param name the thread's name
     * @param body the work
     * @return the started thread; join it with {@link #join(Thread)}
     */
    public Thread fork(String name, CheckedRunnable<?> body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        CancellationSource done = call(CancellationSource::create);
        Thread t = startThread(Thread.ofVirtual().name(name), () -> {
            try {
                body.run();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("forked body " + name + " failed", e);
            } finally {
                done.cancel("finished"); // before the participant count drops: a joiner wakes first
            }
        });
        forks.put(t, done); // before this returns, so join(t) always finds it
        return t;
    }

    /**
     * Waits until a thread started by {@link #fork} has ended: a cancelkit wait, so an auto-advancing
     * clock keeps moving while the caller waits.
     *
     * @param thread a thread from {@link #fork}
     * @throws InterruptedException when the caller is interrupted by someone other than cancelkit
     */
    public void join(Thread thread) throws InterruptedException {
        Objects.requireNonNull(thread, "thread");
        CancellationSource done = forks.get(thread);
        if (done == null) {
            throw new IllegalArgumentException(thread + " was not started by this clock's fork(...)");
        }
        done.awaitCancellation();
        thread.join(); // ended its body; this returns at once
        forks.remove(thread);
    }

    /**
     * Moves the clock forward, firing every deadline reached on the way, each at its own instant.
     *
     * @param duration how far; not negative
     */
    public void advance(Duration duration) {
        requireNotNegative(duration, "duration");
        long now = timer.now();
        long delta = nanosSaturated(duration);
        long sum = now + delta;
        // saturates at "no deadline": an overflowed or maximal sum stops just short of it
        long target = (delta > 0 && sum < now) || sum == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : sum;
        timer.advanceTo(target, null);
    }

    /**
     * Moves the clock to the earliest pending deadline and fires it (and any other due at the same
     * instant).
     *
     * @return true when there was a deadline to move to
     */
    public boolean advanceToNextTimer() {
        long next = timer.nextDeadline();
        if (next == Long.MAX_VALUE) {
            return false;
        }
        timer.advanceTo(Math.max(next, timer.now()), null);
        return true;
    }

    /**
     * Returns the number of armed deadlines that have not fired and are still wanted.
     *
     * @return the number of armed deadlines that have not fired and are still wanted
     */
    public int pendingTimers() {
        return timer.pending();
    }

    /**
     * Returns the earliest pending deadline as a reading of this clock, or {@link Long#MAX_VALUE}.
     *
     * @return the earliest pending deadline as a reading of this clock, or {@link Long#MAX_VALUE}
     */
    public long nextDeadline() {
        return timer.nextDeadline();
    }

    /**
     * Returns how many threads take part in the code under test on this clock.
     *
     * @return the number of participants
     */
    public int participants() {
        return timer.participantCount();
    }

    /**
     * Returns how many threads are waiting right now in cancelkit waits on this clock.
     *
     * @return how many threads are waiting right now in cancelkit waits on this clock
     */
    public int parkedThreads() {
        return timer.parkedCount();
    }

    /**
     * Waits, on real time, until at least {@code count} threads wait in cancelkit waits on this clock
     * ({@code Cancellation.sleep}, {@code CancellationToken.awaitCancellation()}): the ordered-step
     * way to know that a forked task has reached its wait before the test advances the clock.
     *
     * @param count how many threads
     * @param realTimeout how long to wait at most, on real time
     * @throws AssertionError when the count is not reached in time
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void awaitParked(int count, Duration realTimeout) throws InterruptedException {
        requireNotNegative(realTimeout, "realTimeout");
        if (!timer.awaitParked(count, nanosSaturated(realTimeout))) {
            throw new AssertionError("expected " + count + " threads waiting on the virtual clock within "
                    + realTimeout + ", saw " + timer.parkedCount());
        }
    }

    /**
     * Waits, on real time, until at least {@code count} threads wait in cancelkit waits, with a
     * generous limit of 30 seconds.
     *
     * @param count how many threads
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void awaitParked(int count) throws InterruptedException {
        awaitParked(count, Duration.ofSeconds(30));
    }

    @Override
    public String toString() {
        return "VirtualClock[" + TimeUnit.NANOSECONDS.toMillis(timer.now()) + " ms]";
    }

    private static void requireNotNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d
                    + "; pass Duration.ZERO for an already expired deadline");
        }
    }

    /** Nanoseconds of a non-negative duration, saturating at {@link Long#MAX_VALUE}. */
    private static long nanosSaturated(Duration d) {
        return d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE : d.toNanos();
    }
}
