package org.cancelkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.cancelkit.internal.Checkpoints;
import org.cancelkit.testkit.VirtualClock;
import org.jspecify.annotations.Nullable;

/**
 * A small cancellation-point explorer for the tests of task groups, race, guards, retry and the
 * bulkhead (the testing kit has the full one, but the core's tests cannot depend on it): run an
 * operation once to count the cancellation points it passes, then once more for every k = 1..N,
 * cancelling the token it runs under at its k-th point, and check the operation's invariant after
 * every run (TESTING.md, "Enumerate the failure points").
 *
 * <p>Each run gets a fresh {@link Case} (fresh state), a fresh auto-advancing {@link VirtualClock}, and
 * a fresh root token; the operation runs on the calling thread bound to that token. Points are heard
 * through the core's hook {@link Checkpoints#withListener}, which a {@link ScopedValue} binds to one
 * thread: a task the operation forks hears nothing unless its body is wrapped with {@link #inherit}.
 * Points in several threads are counted in the order they happen, so with concurrent tasks the k-th
 * point may differ between runs; every run still checks the invariant.
 */
final class TaskGroupPointExplorer {
    private TaskGroupPointExplorer() {}

    /** One operation under exploration, with its own state. */
    interface Case {
        /** The operation; runs bound to the explored token on a virtual clock. */
        @Nullable Object call() throws Exception;

        /** The invariant, checked after every run whatever its outcome; throw to report a violation. */
        void check(Run run) throws Exception;
    }

    /**
     * One run.
     *
     * @param k the point at which the token was to be cancelled; 0 for the counting run
     * @param cancelled whether the k-th point was reached and the token cancelled there
     * @param points how many points the run passed
     * @param value what the operation returned
     * @param failure what it threw
     */
    record Run(int k, boolean cancelled, int points, @Nullable Object value, @Nullable Throwable failure) {
        @Override
        public String toString() {
            return "run k=" + k + (cancelled ? " (cancelled)" : "") + ", " + points + " points, "
                    + (failure != null ? "threw " + failure : "returned " + value);
        }
    }

    /**
     * What an exploration found.
     *
     * @param points the points of the counting run
     * @param kinds their kinds, in order
     * @param runs every run, the counting one first
     * @param violations the runs whose invariant failed, by k
     */
    record Result(int points, List<String> kinds, List<Run> runs, Map<Integer, Throwable> violations) {
        long cancelledRuns() {
            return runs.stream().filter(Run::cancelled).count();
        }

        @Override
        public String toString() {
            return points + " points " + kinds + ", " + cancelledRuns() + " cancelled runs, violations at k="
                    + violations.keySet();
        }
    }

    /** The listener of the run in progress, for {@link #inherit}. */
    private static final ScopedValue<Checkpoints.Listener> LISTENER = ScopedValue.newInstance();

    /**
     * Explores a case: a counting run, then one run per point, plus {@code extra} runs beyond the
     * counted points (they catch a later run that passes more points than the first).
     *
     * @param cases makes a fresh case per run
     * @return what was found; assert on it
     */
    static Result explore(Supplier<? extends Case> cases) throws Exception {
        List<String> kinds = Collections.synchronizedList(new ArrayList<>());
        List<Run> runs = new ArrayList<>();
        Map<Integer, Throwable> violations = new TreeMap<>();
        Run counting = runOnce(cases.get(), 0, kinds);
        record(counting, runs, violations);
        for (int k = 1; k <= counting.points() + 2; k++) {
            record(runOnce(cases.get(), k, null), runs, violations);
        }
        return new Result(counting.points(), List.copyOf(kinds), List.copyOf(runs), violations);
    }

    private static void record(Run run, List<Run> runs, Map<Integer, Throwable> violations) {
        runs.add(run);
        if (run.failure() instanceof InvariantBroken broken) {
            violations.put(run.k(), broken);
        }
    }

    /** Carries an invariant's failure out of {@link #runOnce}. */
    private static final class InvariantBroken extends Exception {
        private static final long serialVersionUID = 1L;

        InvariantBroken(Run run, Throwable cause) {
            super(run.toString(), cause);
        }
    }

    private static Run runOnce(Case c, int k, @Nullable List<String> kinds) throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        return clock.call(() -> {
            CancellationSource root = CancellationSource.create();
            AtomicInteger count = new AtomicInteger();
            AtomicBoolean cancelled = new AtomicBoolean();
            Checkpoints.Listener listener = kind -> {
                int n = count.incrementAndGet();
                if (kinds != null) {
                    kinds.add(kind);
                }
                if (n == k) {
                    cancelled.set(true);
                    root.cancel("explorer: cancelled at point " + k);
                }
            };
            Object value = null;
            Throwable failure = null;
            try {
                value = ScopedValue.where(LISTENER, listener)
                        .call(() -> Checkpoints.withListener(listener, () -> root.call(c::call)));
            } catch (Throwable t) {
                failure = t;
            }
            boolean interrupted = Thread.interrupted(); // C4: no interrupt may leak out of the region
            Run run = new Run(k, cancelled.get(), count.get(), value, failure);
            try {
                if (interrupted) {
                    throw new AssertionError("C4: the interrupt flag was set after the operation returned");
                }
                c.check(run);
            } catch (Throwable broken) {
                return new Run(k, run.cancelled(), run.points(), value, new InvariantBroken(run, broken));
            }
            return run;
        });
    }

    /**
     * Wraps a task body so that it reports its cancellation points to the exploration in progress
     * (the hook is bound per thread; a forked task does not inherit it).
     *
     * @param body a task body
     * @return the wrapped body; the body itself when no exploration is in progress
     */
    static <T, X extends Exception> CheckedCallable<T, Exception> inherit(CheckedCallable<T, X> body) {
        Checkpoints.Listener l = LISTENER.isBound() ? LISTENER.get() : null;
        if (l == null) {
            return body::call;
        }
        return () -> ScopedValue.where(LISTENER, l).call(() -> Checkpoints.withListener(l, body::call));
    }

    /** {@link #inherit(CheckedCallable)} for a body without a value. */
    static <X extends Exception> CheckedCallable<Void, Exception> inherit(CheckedRunnable<X> body) {
        return inherit(() -> {
            body.run();
            return null;
        });
    }
}
