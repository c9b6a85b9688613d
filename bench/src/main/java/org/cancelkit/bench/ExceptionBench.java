package org.cancelkit.bench;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of a routine cancellation: raising cancelkit's {@link CancelledException} (no stack trace
 * by default) at a cancellation point, against constructing a plain {@link CancellationException},
 * which fills in its stack trace. Every exception is returned, so none is scalar-replaced. The stack
 * under a JMH benchmark method is about ten frames deep; deeper real stacks make the stack-trace
 * variants dearer still.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ExceptionBench {
    private CancellationSource cancelled = CancellationSource.create();
    private CancelReason reason = CancelReason.requested("benchmark");
    private String message = "cancelled";

    /** A cancelled token to throw from. */
    @Setup
    public void setUp() {
        cancelled = CancellationSource.create();
        reason = CancelReason.requested("benchmark");
        cancelled.cancel(reason);
        message = "cancelled";
    }

    /**
     * {@code token.throwIfCancelled()} on a cancelled token, caught.
     *
     * @return the exception
     */
    @Benchmark
    public Object cancelledExceptionRaised() {
        try {
            cancelled.throwIfCancelled();
            return null;
        } catch (CancelledException e) {
            return e;
        }
    }

    /**
     * {@code new CancelledException(reason)}.
     *
     * @return the exception
     */
    @Benchmark
    public Object cancelledExceptionNew() {
        return new CancelledException(reason);
    }

    /**
     * The reference: {@code new CancellationException(message)}, with its stack trace.
     *
     * @return the exception
     */
    @Benchmark
    public Object cancellationExceptionNew() {
        return new CancellationException(message);
    }

    /**
     * A {@code CancellationException} thrown and caught.
     *
     * @return the exception
     */
    @Benchmark
    public Object cancellationExceptionRaised() {
        try {
            throw new CancellationException(message);
        } catch (CancellationException e) {
            return e;
        }
    }
}
