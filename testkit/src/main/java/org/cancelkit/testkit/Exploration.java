package org.cancelkit.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CheckedRunnable;
import org.cancelkit.internal.Checkpoints;
import org.cancelkit.testkit.internal.Sneaky;
import org.cancelkit.testkit.internal.Stacks;
import org.jspecify.annotations.Nullable;

/**
 * One run of a {@link CancellationExplorer}: set up, run the operation bound to a fresh token with
 * point k perturbed, then check the explorer's own rules, the leaks and the caller's invariants.
 *
 * <p>Confined to the explorer's thread, except {@link Points}, which the operation's threads call.
 */
final class Exploration {

    /** What one run found. */
    record Run(int points, List<String> sites, List<ExplorationReport.Violation> violations,
               @Nullable Throwable thrown) {}

    private final CheckedRunnable<?> operation;
    private final @Nullable CheckedRunnable<?> before;
    private final Leaks leaks;
    private final @Nullable Supplier<? extends Exception> failure;
    private final boolean allowRecovery;
    private final int k;
    private final ExplorationRun.Perturbation mode;
    private final List<String> names;
    private final List<Invariant> invariants;

    Exploration(CheckedRunnable<?> operation, @Nullable CheckedRunnable<?> before, Leaks leaks,
                @Nullable Supplier<? extends Exception> failure, boolean allowRecovery, int k,
                ExplorationRun.Perturbation mode, List<String> names, List<Invariant> invariants) {
        this.operation = operation;
        this.before = before;
        this.leaks = leaks;
        this.failure = failure;
        this.allowRecovery = allowRecovery;
        this.k = k;
        this.mode = mode;
        this.names = names;
        this.invariants = invariants;
    }

    /** Counts the points and perturbs the k-th; called on the operation's threads. */
    private final class Points implements Checkpoints.Listener {
        final AtomicInteger count = new AtomicInteger();
        final List<String> sites = Collections.synchronizedList(new ArrayList<>());
        final CancellationSource token;
        volatile boolean reached;
        volatile boolean shielded;
        volatile List<StackTraceElement> stack = List.of();
        volatile @Nullable Exception injected;

        Points(CancellationSource token) {
            this.token = token;
        }

        @Override
        public void reached(String kind) {
            int n = count.incrementAndGet();
            if (k == 0) {
                sites.add(kind + " at " + firstFrameOutsideCore(Stacks.capture()));
                return;
            }
            if (n != k) {
                return;
            }
            stack = Stacks.capture();
            reached = true;
            Supplier<? extends Exception> f = failure;
            if (f != null) {
                Exception e = f.get();
                injected = e;
                throw Sneaky.rethrow(e);
            }
            token.cancel("cancelled by the CancellationExplorer at point " + k);
            shielded = !Cancellation.isCancelled(); // inside a shield: this point will not throw
        }
    }

    Run run() {
        if (before != null) {
            try {
                before.run();
            } catch (Exception e) {
                throw new IllegalStateException("the set-up given to before(...) failed before run " + k + ": " + e, e);
            }
        }
        LeakWatch watch = leaks.begin();
        CancellationSource token = CancellationSource.create();
        Points points = new Points(token);
        watch.recorder().points(points);
        Throwable[] thrown = {null};
        try {
            watch.call(() -> {
                try {
                    token.run(operation);
                } catch (Throwable t) {
                    thrown[0] = t;
                }
                return null;
            });
        } finally {
            watch.recorder().points(null);
        }
        LeakReport found = watch.end();
        List<ExplorationReport.Violation> violations = new ArrayList<>();
        Throwable outcome = thrown[0];
        ownRules(points, outcome, violations);
        for (LeakReport.Finding f : found.findings()) {
            violations.add(violation("no leak: " + f.check(), new AssertionError(f.description()), points, outcome));
        }
        ExplorationRun run = new ExplorationRun(k, k == 0 ? ExplorationRun.Perturbation.NONE : mode, outcome);
        for (int i = 0; i < invariants.size(); i++) {
            try {
                invariants.get(i).check(run);
            } catch (Throwable t) {
                violations.add(violation(names.get(i), t, points, outcome));
            }
        }
        return new Run(points.count.get(), List.copyOf(points.sites), violations, outcome);
    }

    private void ownRules(Points points, @Nullable Throwable outcome, List<ExplorationReport.Violation> out) {
        if (k == 0) {
            if (outcome != null) {
                out.add(violation("the operation completes when nothing is cancelled",
                        new AssertionError("the operation threw " + outcome, outcome), points, outcome));
            }
            return;
        }
        if (!points.reached) {
            out.add(violation("point " + k + " is reached", new AssertionError("this run passed only "
                    + points.count.get() + " points, so point " + k + " was never perturbed: the operation does not"
                    + " pass the same points on every run (restore its starting state in before(...))"), points, outcome));
            return;
        }
        if (allowRecovery) {
            return;
        }
        Exception injected = points.injected;
        if (injected != null) {
            if (outcome == null) {
                out.add(violation("the injected failure reaches the caller", new AssertionError(
                        "the operation returned normally although point " + k + " failed with " + injected), points, null));
            } else if (!contains(outcome, injected)) {
                out.add(violation("the injected failure reaches the caller", new AssertionError(
                        "the operation failed with " + outcome + " instead of the injected " + injected, outcome),
                        points, outcome));
            }
        } else if (!points.shielded) {
            if (outcome == null) {
                out.add(violation("the cancellation reaches the caller", new AssertionError("the operation returned"
                        + " normally although it was cancelled at point " + k + ": something caught the"
                        + " CancelledException and carried on"), points, null));
            } else if (!isCancellation(outcome)) {
                out.add(violation("the cancellation reaches the caller", new AssertionError("the operation failed"
                        + " with " + outcome + " instead of CancelledException: its cleanup failed and hid the"
                        + " cancellation", outcome), points, outcome));
            }
        }
    }

    private ExplorationReport.Violation violation(String name, Throwable failure, Points points,
                                                  @Nullable Throwable outcome) {
        return new ExplorationReport.Violation(k, name, failure, points.stack, outcome);
    }

    private static boolean isCancellation(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CancellationException) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(Throwable t, Throwable wanted) {
        if (t == wanted) {
            return true;
        }
        if (t.getCause() != null && t.getCause() != t && contains(t.getCause(), wanted)) {
            return true;
        }
        for (Throwable s : t.getSuppressed()) {
            if (contains(s, wanted)) {
                return true;
            }
        }
        return false;
    }

    private static String firstFrameOutsideCore(List<StackTraceElement> stack) {
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            boolean core = c.startsWith("org.cancelkit.internal.")
                    || (c.startsWith("org.cancelkit.") && Character.isUpperCase(c.charAt("org.cancelkit.".length())));
            if (!core) {
                return e.toString();
            }
        }
        return stack.isEmpty() ? "?" : stack.getFirst().toString();
    }
}
