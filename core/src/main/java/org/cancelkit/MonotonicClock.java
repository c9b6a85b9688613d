package org.cancelkit;

import java.util.Objects;
import org.cancelkit.internal.ServiceTimer;
import org.cancelkit.internal.Timer;
import org.cancelkit.spi.ClockService;
import org.jspecify.annotations.Nullable;

/**
 * The one monotonic clock behind every deadline, sleep and timer in cancelkit.
 *
 * <p>Code uses {@link #current()}: the system clock, unless another clock has been bound for the running
 * code with {@link #call}/{@link #run}. A token takes its clock when its tree is created and keeps it;
 * every deadline in one tree is on one clock.
 *
 * <p>Clocks other than the system clock are built over a {@link ClockService} (package
 * {@code org.cancelkit.spi}), which supplies their time, fires their deadlines and hears about the
 * threads that wait on them: the testing kit's {@code VirtualClock}, a clock that moves only when a test
 * tells it to, is one. The system clock has no service: its readings and timers cost what
 * {@link System#nanoTime()} and one timer thread cost.
 *
 * <p>Thread-safe.
 */
public abstract class MonotonicClock {
    static final ScopedValue<MonotonicClock> BOUND = ScopedValue.newInstance();

    /** Where this clock's deadlines are armed. */
    private final Timer timer;
    /** The service behind this clock; null for the system clock, which needs none. */
    final @Nullable ClockService service;

    MonotonicClock(Timer timer) {
        this.timer = timer;
        this.service = null;
    }

    /**
     * Creates a clock over a clock service: its readings are the service's, its deadlines are armed on
     * the service, and the service hears of every cancelkit wait and every participant on it.
     *
     * @param service what supplies time and timers
     */
    protected MonotonicClock(ClockService service) {
        this.service = Objects.requireNonNull(service, "service");
        this.timer = new ServiceTimer(service);
    }

    /**
     * Returns the system clock, {@link System#nanoTime()}.
     *
     * @return the system clock, {@link System#nanoTime()}
     */
    public static MonotonicClock system() {
        return SystemClock.INSTANCE;
    }

    /**
     * Returns the clock bound for the running code, or the system clock.
     *
     * @return the clock bound for the running code, or the system clock
     */
    public static MonotonicClock current() {
        return BOUND.orElse(SystemClock.INSTANCE);
    }

    /**
     * Reads the clock. Only differences between readings mean anything. A clock over a service reads
     * {@link ClockService#nanoTime()}.
     *
     * @return the reading in nanoseconds
     */
    public long nanoTime() {
        return Objects.requireNonNull(service).nanoTime();
    }

    /**
     * Runs {@code body} with this clock bound as {@link #current()}: every token tree, deadline and
     * {@link Cancellation#sleep} the body creates follows this clock. The calling thread counts as a
     * participant of the clock's service while the body runs.
     *
     * @param body the code to run on this clock
     * @param <T> its value
     * @param <X> what it may throw
     * @return what the body returned
     * @throws X what the body threw
     */
    public <T, X extends Exception> T call(CheckedCallable<T, X> body) throws X {
        Objects.requireNonNull(body, "body");
        if (current() == this) {
            return body.call(); // already a participant on this thread
        }
        participants(1);
        try {
            return ScopedValue.where(BOUND, this).call(body::call);
        } finally {
            participants(-1);
        }
    }

    /**
     * Runs {@code body} with this clock bound as {@link #current()}, as {@link #call}.
     *
     * @param body the code to run on this clock
     * @param <X> what it may throw
     * @throws X what the body threw
     */
    public <X extends Exception> void run(CheckedRunnable<X> body) throws X {
        Objects.requireNonNull(body, "body");
        call(() -> {
            body.run();
            return null;
        });
    }

    /**
     * Starts a thread from {@code builder} that runs {@code body} with this clock bound. The thread
     * counts as a participant of the clock's service from before it starts until the body has ended,
     * so a test clock never sees it missing.
     *
     * @param builder how to make the thread (virtual or platform, its name)
     * @param body what it runs
     * @return the started thread
     */
    public Thread startThread(Thread.Builder builder, Runnable body) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(body, "body");
        participants(1); // counted before the thread runs
        try {
            Thread t = builder.unstarted(() -> {
                try {
                    ScopedValue.where(BOUND, this).run(body);
                } finally {
                    participants(-1);
                }
            });
            t.start();
            return t;
        } catch (RuntimeException | Error e) {
            participants(-1); // the thread never ran
            throw e;
        }
    }

    /** Returns the timer that fires deadlines on this clock. */
    final Timer timer() {
        return timer;
    }

    /**
     * Counts a thread entering (+1) or leaving (-1) a library wait on this clock; only a clock over a
     * service hears of it. {@code participant}: the thread is bound to this clock.
     */
    final void parked(int delta, boolean participant) {
        ClockService s = service;
        if (s != null) {
            s.parked(delta, participant);
        }
    }

    /** Counts a thread starting (+1) or ending (-1) its part in the code on this clock; see {@link #parked}. */
    final void participants(int delta) {
        ClockService s = service;
        if (s != null) {
            s.participants(delta);
        }
    }
}
