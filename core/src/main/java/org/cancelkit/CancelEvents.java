package org.cancelkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The listener hook on cancelkit's emission points: every {@link CancelEvent} the library emits
 * reaches each registered listener, on the thread that emitted it.
 *
 * {@snippet :
 * try (var hook = CancelEvents.register(e -> {
 *     if (e instanceof CancelEvent.DeadlineFired) timeoutsFired.increment();
 * })) {
 *     // ... run the application
 * }
 * }
 *
 * <h2>Cost</h2>
 * With no listener registered, an emission point reads one static field and returns (besides the
 * Flight Recorder check, which is as cheap when no recording enables cancelkit's events). Listeners
 * run synchronously, inside cancelkit's cancellation and timer paths: they must be quick, must not
 * block, and must not cancel tokens. A listener that throws is reported to the thread's uncaught
 * exception handler; the others still run and the library goes on.
 *
 * <h2>Order</h2>
 * A {@link CancelEvent.InterruptDelivered} has reached every listener before the interrupted region
 * ({@link CancellationToken#call}, a {@link Timeout}, a task's body) returns to its caller: a thread
 * leaving a region whose interrupt is still being reported waits for the listeners to finish — one
 * more reason they must be quick.
 *
 * <h2>Memory consistency effects</h2>
 * Actions of the emitting thread before an emission happen-before the listener's handling of it.
 *
 * <p>Thread-safe. Registering and unregistering are rare operations (copy on write).
 */
public final class CancelEvents {
    private static final Object LOCK = new Object();
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Consumer<? super CancelEvent>[] NONE = new Consumer[0];
    /** Written under {@link #LOCK}, read by every emission point without a lock. */
    private static volatile Consumer<? super CancelEvent>[] listeners = NONE;

    private CancelEvents() {}

    /**
     * Registers a listener for every event.
     *
     * @param listener what handles the events; quick and non-blocking
     * @return closing it removes the listener (idempotent)
     */
    public static Subscription register(Consumer<? super CancelEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (LOCK) {
            Consumer<? super CancelEvent>[] next = Arrays.copyOf(listeners, listeners.length + 1);
            next[next.length - 1] = listener;
            listeners = next;
        }
        return new Subscription(listener);
    }

    /** A registered listener; {@link #close()} removes it. Thread-safe; closing twice does nothing. */
    public static final class Subscription implements AutoCloseable {
        private final Consumer<? super CancelEvent> listener;

        private Subscription(Consumer<? super CancelEvent> listener) {
            this.listener = listener;
        }

        /** Removes the listener: it receives no event that starts after this returns. */
        @Override
        public void close() {
            remove(listener);
        }
    }

    private static void remove(Consumer<? super CancelEvent> listener) {
        synchronized (LOCK) {
            Consumer<? super CancelEvent>[] now = listeners;
            for (int i = 0; i < now.length; i++) {
                if (now[i] == listener) {
                    @SuppressWarnings({"unchecked", "rawtypes"})
                    Consumer<? super CancelEvent>[] next = new Consumer[now.length - 1];
                    System.arraycopy(now, 0, next, 0, i);
                    System.arraycopy(now, i + 1, next, i, now.length - i - 1);
                    listeners = next.length == 0 ? NONE : next;
                    return;
                }
            }
        }
    }

    /**
     * Returns the Flight Recorder settings that enable every cancelkit event: the text of the
     * {@code org/cancelkit/cancelkit.jfc} file shipped in this jar, for
     * {@code jdk.jfr.Configuration.create(new StringReader(...))} or to write to a file for
     * {@code -XX:StartFlightRecording:settings=...}.
     *
     * @return the settings, as XML
     */
    public static String jfrSettings() {
        try (InputStream in = CancelEvents.class.getResourceAsStream("cancelkit.jfc")) {
            if (in == null) {
                throw new IllegalStateException("org/cancelkit/cancelkit.jfc is missing from the cancelkit jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Tells whether any listener is registered: an emission point builds its event only then.
     *
     * @return true when at least one listener is registered
     */
    public static boolean isObserved() {
        return listeners.length != 0;
    }

    /**
     * Hands {@code event} to every registered listener; for cancelkit's modules, which emit their own
     * events through this hook. Does nothing when none is registered.
     *
     * @param event the event
     */
    public static void publish(CancelEvent event) {
        Objects.requireNonNull(event, "event");
        for (Consumer<? super CancelEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (Throwable failure) {
                Thread self = Thread.currentThread();
                self.getUncaughtExceptionHandler().uncaughtException(self, failure);
            }
        }
    }
}
