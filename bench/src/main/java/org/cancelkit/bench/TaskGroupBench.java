package org.cancelkit.bench;

import java.util.concurrent.TimeUnit;
import org.cancelkit.CompletionPolicy;
import org.cancelkit.TaskGroup;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Issue 4: fork and join of trivial tasks in a {@link TaskGroup} against the reference, raw virtual
 * threads started and joined by hand, in the same run. Target: within 1.2x of the raw threads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TaskGroupBench {
    /** Tasks per invocation. */
    @Param({"1", "100"})
    public int tasks;

    /** The reference: {@code Thread.ofVirtual().start()} then {@code join()} for each. */
    @Benchmark
    public void rawVirtualThreads(Blackhole bh) throws InterruptedException {
        Thread[] threads = new Thread[tasks];
        for (int i = 0; i < tasks; i++) {
            int k = i;
            threads[i] = Thread.ofVirtual().start(() -> bh.consume(k));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** The same work as tasks of a supervising group: fork each, join, close. */
    @Benchmark
    public TaskGroup.Report taskGroup(Blackhole bh) throws InterruptedException {
        try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
            for (int i = 0; i < tasks; i++) {
                int k = i;
                group.fork("t", () -> {
                    bh.consume(k);
                    return null;
                });
            }
            return group.join();
        }
    }
}
