package org.cancelkit.bench;

import com.google.common.util.concurrent.SimpleTimeLimiter;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
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

/**
 * Benchmark 2, the peers: arm and disarm a 1 s timeout around the same operation as
 * {@link TimeoutBench} (it returns an int field at once), with the same JMH settings, run in the same
 * JMH run as {@code TimeoutBench.timeoutCall}, which is their reference.
 *
 * <ul>
 *   <li>{@code futureGet}: {@code executor.submit(body).get(1 s)} on a virtual-thread-per-task executor.</li>
 *   <li>{@code resilience4j}: {@code TimeLimiter.executeFutureSupplier(() -> executor.submit(body))},
 *       {@code cancelRunningFuture(true)}, the same executor.</li>
 *   <li>{@code failsafe}: {@code Failsafe.with(Timeout.builder(1 s).withInterrupt().build()).get(body)}
 *       (synchronous: the body runs on the calling thread; the executor is built once).</li>
 *   <li>{@code guava}: {@code SimpleTimeLimiter.create(executor).callWithTimeout(body, 1 s)}, the same executor.</li>
 *   <li>{@code structuredTaskScope}: {@code StructuredTaskScope.open(awaitAllSuccessfulOrThrow(),
 *       cf -> cf.withTimeout(1 s))}, one fork, join, the subtask's value (preview API).</li>
 *   <li>{@code kotlinxDefault}: kotlinx.coroutines {@code withTimeout(1 s) { body }} in a coroutine on
 *       {@code Dispatchers.Default}, {@value #KX_BATCH} calls per benchmark invocation in one coroutine
 *       (a Java thread cannot call a suspend function without starting a coroutine; starting one per
 *       call would measure {@code runBlocking}, not the timeout). Score per {@code withTimeout}.</li>
 *   <li>{@code kotlinxRunBlocking}: the same in a plain {@code runBlocking}: the timeout goes to the
 *       calling thread's own event loop instead of the shared delay thread.</li>
 * </ul>
 * Each once on one thread and once on two, each thread with its own state (its own executor).
 * Every contender that runs the body on another thread pays for that thread: it is how each is used.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PeerTimeoutBench {
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    /** {@code withTimeout} calls per invocation of a kotlinx benchmark. */
    static final int KX_BATCH = 1000;

    private int x = 42;
    private Callable<Integer> body = () -> x;
    private IntSupplier intBody = () -> x;
    private ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private TimeLimiter timeLimiter = TimeLimiter.ofDefaults();
    private FailsafeExecutor<Integer> failsafe = Failsafe.none();
    private SimpleTimeLimiter guava = SimpleTimeLimiter.create(executor);

    /** Builds each contender once per trial, as an application would. */
    @Setup(Level.Trial)
    public void setUp() {
        x = 42;
        body = () -> x;
        intBody = () -> x;
        executor.close();
        executor = Executors.newVirtualThreadPerTaskExecutor();
        timeLimiter = TimeLimiter.of(TimeLimiterConfig.custom().timeoutDuration(ONE_SECOND)
                .cancelRunningFuture(true).build());
        failsafe = Failsafe.with(dev.failsafe.Timeout.<Integer>builder(ONE_SECOND).withInterrupt().build());
        guava = SimpleTimeLimiter.create(executor);
    }

    /** Stops the executor. */
    @TearDown(Level.Trial)
    public void tearDown() {
        executor.close();
    }

    private Integer structuredOnce() throws Exception {
        try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<Integer>awaitAllSuccessfulOrThrow(),
                cf -> cf.withTimeout(ONE_SECOND))) {
            StructuredTaskScope.Subtask<Integer> task = scope.fork(body);
            scope.join();
            return task.get();
        }
    }

    /**
     * {@code Future.get(1 s)} on a virtual-thread executor.
     *
     * @return the value
     * @throws Exception never here
     */
    @Benchmark
    public Integer futureGet() throws Exception {
        return executor.submit(body).get(1, TimeUnit.SECONDS);
    }

    /**
     * Resilience4j {@code TimeLimiter}.
     *
     * @return the value
     * @throws Exception never here
     */
    @Benchmark
    public Integer resilience4j() throws Exception {
        return timeLimiter.executeFutureSupplier(() -> executor.submit(body));
    }

    /**
     * Failsafe {@code Timeout} with interrupt.
     *
     * @return the value
     */
    @Benchmark
    public Integer failsafe() {
        return failsafe.get(body::call);
    }

    /**
     * Guava {@code SimpleTimeLimiter}.
     *
     * @return the value
     * @throws Exception never here
     */
    @Benchmark
    public Integer guava() throws Exception {
        return guava.callWithTimeout(body, 1, TimeUnit.SECONDS);
    }

    /**
     * {@code StructuredTaskScope} with a timeout.
     *
     * @return the value
     * @throws Exception never here
     */
    @Benchmark
    public Integer structuredTaskScope() throws Exception {
        return structuredOnce();
    }

    /**
     * {@link #futureGet()}, two threads.
     *
     * @return the value
     * @throws Exception never here
     */
    @Benchmark
    @Threads(2)
    public Integer futureGet2Threads() throws Exception {
        return futureGet();
    }

    /**
     * {@link #resilience4j()}, two threads.
     *
     * @return the value
     * @throws Exception never here
     */
    @Benchmark
    @Threads(2)
    public Integer resilience4j2Threads() throws Exception {
        return resilience4j();
    }

    /**
     * {@link #failsafe()}, two threads.
     *
     * @return the value
     */
    @Benchmark
    @Threads(2)
    public Integer failsafe2Threads() {
        return failsafe();
    }

    /**
     * {@link #guava()}, two threads.
     *
     * @return the value
     * @throws Exception never here
     */
    @Benchmark
    @Threads(2)
    public Integer guava2Threads() throws Exception {
        return guava();
    }

    /**
     * {@link #structuredTaskScope()}, two threads.
     *
     * @return the value
     * @throws Exception never here
     */
    @Benchmark
    @Threads(2)
    public Integer structuredTaskScope2Threads() throws Exception {
        return structuredOnce();
    }

    /**
     * kotlinx {@code withTimeout} on {@code Dispatchers.Default}.
     *
     * @return the sum of the values
     */
    @Benchmark
    @OperationsPerInvocation(KX_BATCH)
    public long kotlinxDefault() {
        return Kx.withTimeoutOnDefault(KX_BATCH, intBody);
    }

    /**
     * kotlinx {@code withTimeout} in a plain {@code runBlocking}.
     *
     * @return the sum of the values
     */
    @Benchmark
    @OperationsPerInvocation(KX_BATCH)
    public long kotlinxRunBlocking() {
        return Kx.withTimeoutInRunBlocking(KX_BATCH, intBody);
    }

    /**
     * {@link #kotlinxDefault()}, two threads.
     *
     * @return the sum of the values
     */
    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(KX_BATCH)
    public long kotlinxDefault2Threads() {
        return kotlinxDefault();
    }

    /**
     * {@link #kotlinxRunBlocking()}, two threads.
     *
     * @return the sum of the values
     */
    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(KX_BATCH)
    public long kotlinxRunBlocking2Threads() {
        return kotlinxRunBlocking();
    }
}
