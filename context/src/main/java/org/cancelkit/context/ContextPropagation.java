package org.cancelkit.context;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.cancelkit.CheckedCallable;
import org.cancelkit.CheckedRunnable;

/**
 * The installed {@link ContextCarrier}s, and wrappers that carry their context into work that runs on
 * another thread: a {@link org.cancelkit.TaskGroup} fork, an executor's task, an {@code @Async}
 * method.
 *
 * {@snippet :
 * ContextPropagation.install(MdcCarrier.all());            // once, at start-up
 * ContextPropagation.install(OtelContextCarrier.create());
 *
 * MDC.put("traceId", traceId);
 * try (TaskGroup group = TaskGroup.open()) {
 *     // wrap() captures here, on the forking thread; the fork runs with the MDC and span applied
 *     group.fork("profile", ContextPropagation.wrap(() -> client.profile(id)));
 *     group.fork("posts", ContextPropagation.wrap(() -> client.posts(id)));
 *     group.join();
 * }
 * }
 *
 * <h2>Where the context is captured and removed</h2>
 * {@link #wrap(CheckedCallable)} captures when it is called, so call it on the thread whose context
 * the work should see (in the argument of {@code fork}, as above). The wrapped work applies the
 * captured context before it starts and restores the running thread's own context after it ends,
 * also when it fails: a pooled thread carries nothing into its next task.
 *
 * <h2>Why a wrapper</h2>
 * A {@code TaskGroup} fork does not carry thread-local context by itself: logging MDCs and
 * OpenTelemetry keep theirs in (non-inheritable) thread locals. A hook in the core's fork, which
 * would make the wrapper unnecessary for task groups, has the same shape as {@link ContextCarrier}.
 *
 * <p>Thread-safe: carriers may be installed and removed at any time; a capture sees those installed
 * when it ran. With none installed, {@link #capture()} is one volatile read and allocates nothing.
 */
public final class ContextPropagation {
    private ContextPropagation() {}

    private static final ContextCarrier[] NONE = new ContextCarrier[0];
    /** Copy-on-write: replaced under the class monitor, read anywhere without a lock. */
    private static volatile ContextCarrier[] carriers = NONE;

    /**
     * Installs a carrier for every capture from now on. Installing the same carrier twice applies it
     * twice.
     *
     * @param carrier the carrier
     * @return the installation: close it to remove the carrier again
     */
    public static synchronized Installation install(ContextCarrier carrier) {
        Objects.requireNonNull(carrier, "carrier");
        ContextCarrier[] now = Arrays.copyOf(carriers, carriers.length + 1);
        now[now.length - 1] = carrier;
        carriers = now;
        return new Installation(carrier);
    }

    /**
     * Returns the carriers installed now, in installation order.
     *
     * @return a copy of the list
     */
    public static List<ContextCarrier> installed() {
        return List.of(carriers);
    }

    /**
     * Captures every installed carrier's context on this thread.
     *
     * @return the snapshot to apply around work on another thread
     * @throws NullPointerException when a carrier's {@code capture()} returned null
     */
    public static ContextSnapshot capture() {
        ContextCarrier[] cs = carriers;
        if (cs.length == 0) {
            return ContextSnapshot.EMPTY;
        }
        ContextCarrier.Captured[] captured = new ContextCarrier.Captured[cs.length];
        for (int i = 0; i < cs.length; i++) {
            ContextCarrier carrier = cs[i];
            captured[i] = Objects.requireNonNull(carrier.capture(), () -> "the ContextCarrier " + carrier
                    + " returned null from capture(); return a Captured that applies nothing when there is no context");
        }
        return new ContextSnapshot(captured);
    }

    /**
     * Captures the context now and returns {@code body} wrapped to run with it.
     *
     * @param body the work
     * @param <T> its value
     * @param <X> the checked exception it may throw
     * @return the wrapped work, for {@link org.cancelkit.TaskGroup#fork(String, CheckedCallable)}
     */
    public static <T, X extends Exception> CheckedCallable<T, X> wrap(CheckedCallable<T, X> body) {
        Objects.requireNonNull(body, "body");
        ContextSnapshot snapshot = capture();
        return () -> snapshot.call(body);
    }

    /**
     * Captures the context now and returns {@code body} wrapped to run with it.
     *
     * @param body the work
     * @param <X> the checked exception it may throw
     * @return the wrapped work, for {@link org.cancelkit.TaskGroup#fork(String, CheckedRunnable)}
     */
    public static <X extends Exception> CheckedRunnable<X> wrap(CheckedRunnable<X> body) {
        Objects.requireNonNull(body, "body");
        ContextSnapshot snapshot = capture();
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
        ContextSnapshot snapshot = capture();
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

    /** An installed carrier; closing it removes the carrier (idempotent). Thread-safe. */
    public static final class Installation implements AutoCloseable {
        private final ContextCarrier carrier;
        /** Guarded by the class monitor of {@link ContextPropagation}. */
        private boolean removed;

        private Installation(ContextCarrier carrier) {
            this.carrier = carrier;
        }

        /** Removes the carrier: captures from now on no longer include it. */
        @Override
        public void close() {
            synchronized (ContextPropagation.class) {
                if (removed) {
                    return;
                }
                removed = true;
                List<ContextCarrier> left = new ArrayList<>(Arrays.asList(carriers));
                left.remove(carrier);
                carriers = left.toArray(NONE);
            }
        }
    }
}
