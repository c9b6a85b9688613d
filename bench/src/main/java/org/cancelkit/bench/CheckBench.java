package org.cancelkit.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import kotlinx.coroutines.Job;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmark 1: a cancellation check in a cheap loop. Every variant sums the same array and does one
 * check per element; the score is time per element (one check plus one add). The reference is the
 * plain volatile boolean read; {@link #noCheck}, the same loop without a check, is context only.
 *
 * <p>Each check reads a field of a small object held in a local, as a real loop holds its token: the
 * token's state, the AtomicBoolean's value, the kotlinx {@code Job}'s state and the reference's {@link Flag} are all
 * one load away (kotlinx's {@code isActive} then tests the state's type and flag). The checks
 * never fire (nothing is cancelled), and the sum is returned so the loop is not dead code.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CheckBench {
    /** Elements per invocation. */
    public static final int N = 1024;

    /** The reference's flag, in its own small object like the token's state and the AtomicBoolean's value. */
    static final class Flag {
        volatile boolean cancelled;
    }

    private int[] data = new int[0];
    private final Flag flag = new Flag();
    private final AtomicBoolean atomic = new AtomicBoolean();
    private CancellationSource source = CancellationSource.create();
    /** What the loop checks: the read-only view, as code that receives a token holds it. */
    private CancellationToken token = CancellationToken.never();
    private Job job = Kx.job(null);

    /** Fills the array and creates a live token. */
    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        data = new int[N];
        for (int i = 0; i < N; i++) {
            data[i] = random.nextInt(1000);
        }
        source = CancellationSource.create();
        token = source.token();
        job = Kx.job(null);
    }

    /** Closes the token. */
    @TearDown
    public void tearDown() {
        source.close();
        Kx.cancel(job);
    }

    /**
     * No check at all: context only.
     *
     * @return the sum
     */
    @Benchmark
    @OperationsPerInvocation(N)
    public int noCheck() {
        int[] d = data;
        int sum = 0;
        for (int i = 0; i < d.length; i++) {
            sum += d[i];
        }
        return sum;
    }

    /**
     * The reference: a plain volatile boolean read per element.
     *
     * @return the sum
     */
    @Benchmark
    @OperationsPerInvocation(N)
    public int volatileBoolean() {
        Flag f = flag;
        int[] d = data;
        int sum = 0;
        for (int i = 0; i < d.length; i++) {
            if (f.cancelled) {
                return -1;
            }
            sum += d[i];
        }
        return sum;
    }

    /**
     * {@code AtomicBoolean.get()} per element.
     *
     * @return the sum
     */
    @Benchmark
    @OperationsPerInvocation(N)
    public int atomicBoolean() {
        AtomicBoolean a = atomic;
        int[] d = data;
        int sum = 0;
        for (int i = 0; i < d.length; i++) {
            if (a.get()) {
                return -1;
            }
            sum += d[i];
        }
        return sum;
    }

    /**
     * {@code token.isCancelled()} per element.
     *
     * @return the sum
     */
    @Benchmark
    @OperationsPerInvocation(N)
    public int tokenIsCancelled() {
        CancellationToken t = token;
        int[] d = data;
        int sum = 0;
        for (int i = 0; i < d.length; i++) {
            if (t.isCancelled()) {
                return -1;
            }
            sum += d[i];
        }
        return sum;
    }

    /**
     * {@code Thread.currentThread().isInterrupted()} per element.
     *
     * @return the sum
     */
    @Benchmark
    @OperationsPerInvocation(N)
    public int threadIsInterrupted() {
        int[] d = data;
        int sum = 0;
        for (int i = 0; i < d.length; i++) {
            if (Thread.currentThread().isInterrupted()) {
                return -1;
            }
            sum += d[i];
        }
        return sum;
    }

    /**
     * kotlinx.coroutines {@code job.isActive()} per element (what {@code isActive} and
     * {@code ensureActive()} read in a coroutine), on a live {@code Job()}.
     *
     * @return the sum
     */
    @Benchmark
    @OperationsPerInvocation(N)
    public int kotlinxJobIsActive() {
        Job j = job;
        int[] d = data;
        int sum = 0;
        for (int i = 0; i < d.length; i++) {
            if (!j.isActive()) {
                return -1;
            }
            sum += d[i];
        }
        return sum;
    }
}
