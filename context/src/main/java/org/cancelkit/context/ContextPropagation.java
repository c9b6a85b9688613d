package org.cancelkit.context;

import java.util.Objects;
import java.util.concurrent.Executor;
import org.cancelkit.CheckedCallable;
import org.cancelkit.CheckedRunnable;
import org.cancelkit.ForkContext;

/**
 * Carries the context of the core's installed {@link org.cancelkit.ContextCarrier}s (see
 * {@link ForkContext}) into work handed to threads that the core does not start: an executor's task,
 * an {@code @Async} method, a callback. A {@link org.cancelkit.TaskGroup} fork needs none of this: the
 * core captures the forking thread's context and applies it around every task.
 *
 * {@snippet :
 * ForkContext.install(MdcCarrier.all());            // once, at start-up
 * ForkContext.install(OtelContextCarrier.create());
 *
 * MDC.put("traceId", traceId);
 * try (TaskGroup group = TaskGroup.open()) {
 *     group.fork("profile", () -> client.profile(id));     // logs traceId, spans are children
 *     group.join();
 * }
 * executor.execute(ContextPropagation.wrapTask(() -> audit(id)));   // captured here, applied there
 * }
 *
 * <h2>Where the context is captured and removed</h2>
 * The wrappers capture when they are called, so call them on the thread whose context the work
 * should see. The wrapped work applies the captured context before it starts and restores the
 * running thread's own context after it ends, also when it fails: a pooled thread carries nothing
 * into its next task.
 *
 * <p>Thread-safe and stateless.
 */
public final class ContextPropagation {
    private ContextPropagation() {}

    /**
     * Captures the context now and returns {@code body} wrapped to run with it.
     *
     * @param body the work
     * @param <T> its value
     * @param <X> the checked exception it may throw
     * @return the wrapped work
     */
    public static <T, X extends Exception> CheckedCallable<T, X> wrap(CheckedCallable<T, X> body) {
        Objects.requireNonNull(body, "body");
        ForkContext.Snapshot snapshot = ForkContext.capture();
        return () -> snapshot.call(body);
    }

    /**
     * Captures the context now and returns {@code body} wrapped to run with it.
     *
     * @param body the work
     * @param <X> the checked exception it may throw
     * @return the wrapped work
     */
    public static <X extends Exception> CheckedRunnable<X> wrap(CheckedRunnable<X> body) {
        Objects.requireNonNull(body, "body");
        ForkContext.Snapshot snapshot = ForkContext.capture();
        return () -> snapshot.run(body);
    }

    /**
     * Captures the context now and returns {@code task} wrapped to run with it: for executors and
     * Spring's {@code TaskDecorator}.
     *
     * @param task the work
     * @return the wrapped work
     */
    public static Runnable wrapTask(Runnable task) {
        Objects.requireNonNull(task, "task");
        ForkContext.Snapshot snapshot = ForkContext.capture();
        return () -> snapshot.run(task::run);
    }

    /**
     * Returns an executor that runs each task with the context captured when it was submitted.
     *
     * @param executor where the tasks run
     * @return the wrapping executor
     */
    public static Executor executor(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return task -> executor.execute(wrapTask(task));
    }
}
