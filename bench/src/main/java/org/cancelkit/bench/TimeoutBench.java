package org.cancelkit.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancellationSource;
import org.cancelkit.CheckedCallable;
import org.cancelkit.Timeout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Benchmark 2: arm and disarm a 1 s timeout around an operation that returns at once.
 *
 * <ul>
 *   <li>{@code direct}: the operation alone (context).</li>
 *   <li>{@code timeoutCall}: {@code Timeout.call(1 s, body)}.</li>
 *   <li>{@code orTimeout}: the reference, {@code new CompletableFuture<>().orTimeout(1, SECONDS)}
 *       completed at once with the operation's value and joined.</li>
 * </ul>
 * Each once on one thread and once on two ({@code @Threads(2)}, each with its own state). The
 * shared-parent variant runs two threads inside {@code sharedToken.call(...)} of one token held in a
 * {@code Scope.Benchmark} state, each doing {@value #BATCH} timeouts per binding, so every timeout
 * hangs under that one parent (the binding is amortised over the batch).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TimeoutBench {
    /** Timeouts per binding of the shared parent. */
    public static final int BATCH = 1000;
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private int x = 42;
    private CheckedCallable<Integer, RuntimeException> body = () -> x;

    /**
     * One cancellable parent shared by all threads: a fresh root each iteration, with nothing prepared
     * in advance, as a server's root is when its requests arrive.
     */
    @State(Scope.Benchmark)
    public static class SharedParent {
        CancellationSource token = CancellationSource.create();

        /** A fresh root for each iteration, shared by both threads, as a server has it: nothing prepared. */
        @Setup(Level.Iteration)
        public void setUp() {
            token = CancellationSource.create();
        }

        /** Closes it. */
        @TearDown(Level.Iteration)
        public void tearDown() {
            token.close();
        }
    }

    /** Sets up the operation: it returns a field, so nothing is constant-folded. */
    @Setup
    public void setUp() {
        x = 42;
        body = () -> x;
    }

    private Integer orTimeoutOnce() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        f.orTimeout(1, TimeUnit.SECONDS);
        f.complete(body.call());
        return f.join();
    }

    /**
     * The operation alone.
     *
     * @return its value
     */
    @Benchmark
    public Integer direct() {
        return body.call();
    }

    /**
     * {@code Timeout.call(1 s, body)}.
     *
     * @return the body's value
     */
    @Benchmark
    public Integer timeoutCall() {
        return Timeout.call(ONE_SECOND, body);
    }

    /**
     * The reference: {@code CompletableFuture.orTimeout}, completed at once.
     *
     * @return the value
     */
    @Benchmark
    public Integer orTimeout() {
        return orTimeoutOnce();
    }

    /**
     * The operation alone, two threads.
     *
     * @return its value
     */
    @Benchmark
    @Threads(2)
    public Integer direct2Threads() {
        return body.call();
    }

    /**
     * {@code Timeout.call(1 s, body)}, two threads.
     *
     * @return the body's value
     */
    @Benchmark
    @Threads(2)
    public Integer timeoutCall2Threads() {
        return Timeout.call(ONE_SECOND, body);
    }

    /**
     * The reference with two threads.
     *
     * @return the value
     */
    @Benchmark
    @Threads(2)
    public Integer orTimeout2Threads() {
        return orTimeoutOnce();
    }

    /**
     * Two threads, each bound to the one shared parent, each arming and disarming {@value #BATCH}
     * timeouts under it per invocation.
     *
     * @param parent the shared parent
     * @param bh consumes every value
     */
    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(BATCH)
    public void timeoutCallSharedParent2Threads(SharedParent parent, Blackhole bh) {
        CheckedCallable<Integer, RuntimeException> b = body;
        parent.token.run(() -> {
            for (int i = 0; i < BATCH; i++) {
                bh.consume(Timeout.call(ONE_SECOND, b));
            }
        });
    }
}
