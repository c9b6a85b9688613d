package org.cancelkit.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancellationSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Child creation is O(1) at any depth (C10): the same operation — make a child with its own one-hour
 * deadline under a parent whose deadline is earlier, and close it — under a parent at depth 1 and under
 * one at the end of a chain of {@code depth} tokens. The chain is built once per trial; the measured
 * child is closed at once, so the parent's list stays empty and every invocation sees the same tree.
 *
 * <p>The ratio of the two scores is the figure: 1.0 means the depth costs nothing. A cost that grew with
 * the depth (a walk to the root for the clock or the effective deadline) would show at 100,000 as a
 * factor in the thousands.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChildDepthBench {
    /** How deep the parent of the measured child is. */
    @Param({"1", "100000"})
    public int depth;

    private CancellationSource root = CancellationSource.create();
    private CancellationSource parent = root;

    /** Builds the chain: a root with a 30-minute deadline, then {@code depth - 1} plain children. */
    @Setup(Level.Trial)
    public void setUp() {
        root = CancellationSource.create().child(Duration.ofMinutes(30));
        CancellationSource p = root;
        for (int i = 1; i < depth; i++) {
            p = p.child();
        }
        parent = p;
    }

    /** Ends the chain. */
    @TearDown(Level.Trial)
    public void tearDown() {
        root.close();
    }

    /**
     * A child with its own deadline (later than the inherited one), asked how much time it has, closed.
     *
     * @return the child's remaining time, so the work is not dead code
     */
    @Benchmark
    public Duration childWithDeadline() {
        try (CancellationSource child = parent.child(Duration.ofHours(1))) {
            return child.remaining().orElseThrow();
        }
    }
}
