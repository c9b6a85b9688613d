package org.cancelkit.bench;

import java.io.IOException;
import java.io.StringReader;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.cancelkit.CancelEvents;
import org.cancelkit.CheckedCallable;
import org.cancelkit.Timeout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What cancelkit's events cost on the hot path: arm and disarm a 1 s timeout around an operation that
 * returns at once ({@code Timeout.call}), with no recording (reference), with a Flight Recorder
 * recording of cancelkit's events running (the shipped {@code cancelkit.jfc}), and with one no-op
 * {@code CancelEvents} listener registered. Each benchmark runs in its own forked JVM, so the
 * recording and the listener exist only in theirs. A timeout that does not fire emits nothing (closing
 * a scope is not a cancel), so this measures the enabled checks alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JfrCostBench {
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private int x = 42;
    private CheckedCallable<Integer, RuntimeException> body = () -> x;

    /** A recording of cancelkit's events, running for the whole trial. */
    @State(Scope.Benchmark)
    public static class Recorder {
        Recording recording;

        /**
         * Starts the recording with the shipped settings.
         *
         * @throws IOException never: the settings are read from a string
         * @throws ParseException when the shipped settings are broken
         */
        @Setup(Level.Trial)
        public void start() throws IOException, ParseException {
            recording = new Recording(Configuration.create(new StringReader(CancelEvents.jfrSettings())));
            recording.setToDisk(true);
            recording.start();
        }

        /** Stops and discards the recording. */
        @TearDown(Level.Trial)
        public void stop() {
            recording.stop();
            recording.close();
        }
    }

    /** A no-op listener, registered for the whole trial. */
    @State(Scope.Benchmark)
    public static class Listening {
        CancelEvents.Subscription subscription;

        /** Registers it. */
        @Setup(Level.Trial)
        public void register() {
            subscription = CancelEvents.register(e -> { });
        }

        /** Removes it. */
        @TearDown(Level.Trial)
        public void remove() {
            subscription.close();
        }
    }

    /** Sets up the operation: it returns a field, so nothing is constant-folded. */
    @Setup
    public void setUp() {
        x = 42;
        body = () -> x;
    }

    /**
     * The reference: no recording, no listener.
     *
     * @return the operation's value
     */
    @Benchmark
    public Integer timeoutCallNoRecording() {
        return Timeout.call(ONE_SECOND, body);
    }

    /**
     * With a recording of cancelkit's events running.
     *
     * @param recorder the running recording
     * @return the operation's value
     */
    @Benchmark
    public Integer timeoutCallRecording(Recorder recorder) {
        return Timeout.call(ONE_SECOND, body);
    }

    /**
     * With one no-op listener registered.
     *
     * @param listening the registration
     * @return the operation's value
     */
    @Benchmark
    public Integer timeoutCallListener(Listening listening) {
        return Timeout.call(ONE_SECOND, body);
    }
}
