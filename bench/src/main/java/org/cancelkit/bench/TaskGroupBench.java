package org.cancelkit.bench;

import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CompletionPolicy;
import org.cancelkit.TaskGroup;
import org.cancelkit.TaskReport;
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
 * threads started and joined by hand, and against the JDK's {@code StructuredTaskScope} (a preview in
 * Java 25, enabled in this module only), in the same run. Targets: within 1.2x of the raw threads,
 * and faster than {@code StructuredTaskScope}.
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

    /** The same work in the JDK's structured scope: open, fork each, join, close. */
    @Benchmark
    public void structuredTaskScope(Blackhole bh) throws InterruptedException {
        try (var scope = StructuredTaskScope.open()) {
            for (int i = 0; i < tasks; i++) {
                int k = i;
                scope.fork(() -> {
                    bh.consume(k);
                    return null;
                });
            }
            scope.join();
        }
    }

    /** The same work as tasks of a supervising group: fork each, join, close. */
    @Benchmark
    public TaskReport taskGroup(Blackhole bh) throws InterruptedException {
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
