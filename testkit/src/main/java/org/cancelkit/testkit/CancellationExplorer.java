package org.cancelkit.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.CheckedRunnable;
import org.jspecify.annotations.Nullable;

/**
 * Cancels an operation at each of its cancellation points in turn and checks your invariants after
 * every run: the way to know that an operation is cancellation-safe, instead of hoping a random
 * cancel hits the one bad spot.
 *
 * {@snippet :
 * ExplorationReport report = CancellationExplorer.explore(() -> writeUserData(dir, 7, data))
 *         .before(() -> Files.writeString(target, "HEADER:old"))            // fresh state for every run
 *         .check("the target is the old or the new content, whole",
 *                 () -> assertThat(Files.readString(target)).isIn("HEADER:old", "HEADER:new"))
 *         .check("no temp file is left", () -> assertThat(tempFiles(dir)).isEmpty())
 *         .run();
 * report.assertAllHeld();
 * }
 *
 * <h2>What it does</h2>
 * <ol>
 *   <li>Run 0: runs the operation once, unperturbed, counting the cancellation points it passes (N)
 *       and noting where each one is; then checks the invariants.</li>
 *   <li>Runs 1..N: runs it again from a fresh state ({@link #before}), and at point k cancels the
 *       token it runs under, hard, just before the point looks at the token, so that the point
 *       throws {@link CancelledException} as if the caller had given up at that moment; then checks
 *       the invariants. With {@link #injecting} the point throws your exception instead (an I/O error
 *       at the k-th step, SQLite's {@code ioerr} tests).</li>
 *   <li>Reports every invariant that did not hold, with k and the stack of point k.</li>
 * </ol>
 * Besides your invariants the explorer checks, and names in the report: "the operation completes
 * when nothing is cancelled" (run 0); "the cancellation reaches the caller" (a run cancelled at k
 * must end with {@link CancelledException}, not return normally or fail otherwise; lift with
 * {@link #allowingRecovery()}); "the injected failure reaches the caller"; "point k is reached" (the
 * operation must pass the same points on every run); and the leak checks of {@link #checkLeaks}, by
 * default {@link Leak#REGISTRATIONS}: an {@code onCancel} callback left registered on the caller's
 * token is a leak.
 *
 * <h2>What counts as a cancellation point</h2>
 * cancelkit's own: {@link org.cancelkit.Cancellation#check()}, {@link org.cancelkit.Cancellation#sleep}
 * and the library waits ({@link CancellationToken#awaitCancellation()}, a retry's back-off, a bulkhead
 * acquisition), on the operation's thread and on threads that inherit its scoped values. An
 * interruptible JDK call ({@code Thread.sleep}, {@code BlockingQueue.take}, channel I/O) is cancelled
 * through its interrupt in real life but is not counted here: put a {@code Cancellation.check()} in
 * front of the step you want explored.
 *
 * <h2>Time</h2>
 * Each run has a fresh auto-advancing {@link VirtualClock} (unless {@link #onSystemClock()}): a
 * {@code Cancellation.sleep(Duration.ofHours(1))} in the operation returns at once.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>The operation must do the same on every run from the state {@link #before} restores: a point
 *       that moves (random, time, leftovers of the previous run) makes k mean different things.</li>
 *   <li>Points passed by threads the operation starts itself (a plain {@code Thread.start}) are not
 *       seen; points of concurrent tasks are numbered in the order they happen, which may differ
 *       between runs.</li>
 *   <li>An injected checked exception is thrown from a method that does not declare it
 *       ({@code Cancellation.check()}); code that catches it by type still does.</li>
 * </ul>
 *
 * <p>Immutable, so safe to share: each configuring method returns a copy. {@link #run()} runs
 * everything on the calling thread, one run after the other; two threads running the same explorer
 * at once would share the state of your operation and invariants, so don't.
 */
public final class CancellationExplorer {
    private static final int DEFAULT_MAX_POINTS = 1000;

    private record Named(String name, Invariant invariant) {}

    private final CheckedRunnable<?> operation;
    private final @Nullable CheckedRunnable<?> before;
    private final List<Named> invariants;
    private final @Nullable Supplier<? extends Exception> failure;
    private final Leaks leaks;
    private final boolean allowRecovery;
    private final int maxPoints;
    private final boolean virtualTime;

    private CancellationExplorer(CheckedRunnable<?> operation, @Nullable CheckedRunnable<?> before,
                                 List<Named> invariants, @Nullable Supplier<? extends Exception> failure, Leaks leaks,
                                 boolean allowRecovery, int maxPoints, boolean virtualTime) {
        this.operation = operation;
        this.before = before;
        this.invariants = List.copyOf(invariants);
        this.failure = failure;
        this.leaks = leaks;
        this.allowRecovery = allowRecovery;
        this.maxPoints = maxPoints;
        this.virtualTime = virtualTime;
    }

    /**
     * Starts configuring the exploration of {@code operation}.
     *
     * @param operation the code under test; run once per point plus once
     * @return the explorer, with no invariant yet
     */
    public static CancellationExplorer explore(CheckedRunnable<?> operation) {
        Objects.requireNonNull(operation, "operation");
        return new CancellationExplorer(operation, null, List.of(), null, Leaks.of(Leak.REGISTRATIONS), false,
                DEFAULT_MAX_POINTS, true);
    }

    /**
     * Returns a copy that runs {@code setUp} before every run, outside the operation's token: restore
     * the state the operation starts from (write the old file, delete leftovers).
     *
     * @param setUp the set-up; a failure stops the exploration with an {@link IllegalStateException}
     * @return a copy with this set-up
     */
    public CancellationExplorer before(CheckedRunnable<?> setUp) {
        Objects.requireNonNull(setUp, "setUp");
        return new CancellationExplorer(operation, setUp, invariants, failure, leaks, allowRecovery, maxPoints,
                virtualTime);
    }

    /**
     * Returns a copy that also checks {@code invariant} after every run.
     *
     * @param name what it states, for the report
     * @param invariant fails by throwing; sees which point was perturbed and how the run ended
     * @return a copy with this invariant
     */
    public CancellationExplorer check(String name, Invariant invariant) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(invariant, "invariant");
        List<Named> list = new ArrayList<>(invariants);
        list.add(new Named(name, invariant));
        return new CancellationExplorer(operation, before, list, failure, leaks, allowRecovery, maxPoints, virtualTime);
    }

    /**
     * Returns a copy that also checks {@code invariant} after every run.
     *
     * @param name what it states, for the report
     * @param invariant fails by throwing
     * @return a copy with this invariant
     */
    public CancellationExplorer check(String name, CheckedRunnable<?> invariant) {
        Objects.requireNonNull(invariant, "invariant");
        return check(name, run -> invariant.run());
    }

    /**
     * Returns a copy that, at point k, throws a failure from {@code failure} instead of cancelling:
     * the k-th step fails, as an I/O error would.
     *
     * @param failure makes the exception to throw; called once per run, at the chosen point
     * @return a copy that injects failures
     */
    public CancellationExplorer injecting(Supplier<? extends Exception> failure) {
        Objects.requireNonNull(failure, "failure");
        return new CancellationExplorer(operation, before, invariants, failure, leaks, allowRecovery, maxPoints,
                virtualTime);
    }

    /**
     * Returns a copy that runs these leak checks around every run (instead of the default,
     * {@link Leak#REGISTRATIONS} only); each finding is a violation named "no leak: " and the check.
     *
     * @param leaks the checks
     * @return a copy with these leak checks
     */
    public CancellationExplorer checkLeaks(Leaks leaks) {
        Objects.requireNonNull(leaks, "leaks");
        return new CancellationExplorer(operation, before, invariants, failure, leaks, allowRecovery, maxPoints,
                virtualTime);
    }

    /**
     * Returns a copy that lets the operation handle a cancellation or an injected failure and return
     * normally (a fallback, a retry): "reaches the caller" is then not checked.
     *
     * @return a copy that allows recovery
     */
    public CancellationExplorer allowingRecovery() {
        return new CancellationExplorer(operation, before, invariants, failure, leaks, true, maxPoints, virtualTime);
    }

    /**
     * Returns a copy that perturbs at most the first {@code max} points (default 1000); the report
     * says when it stopped short.
     *
     * @param max at least 1
     * @return a copy with this cap
     */
    public CancellationExplorer maxPoints(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        return new CancellationExplorer(operation, before, invariants, failure, leaks, allowRecovery, max, virtualTime);
    }

    /**
     * Returns a copy whose runs use the clock of the caller (the system clock, or a virtual clock the
     * caller has bound) instead of a fresh auto-advancing virtual clock per run.
     *
     * @return a copy on the caller's clock
     */
    public CancellationExplorer onSystemClock() {
        return new CancellationExplorer(operation, before, invariants, failure, leaks, allowRecovery, maxPoints, false);
    }

    /**
     * Runs the exploration: once unperturbed, then once per point.
     *
     * @return what it found; {@link ExplorationReport#assertAllHeld()} fails a test on it
     * @throws IllegalStateException when the set-up of {@link #before} fails
     */
    public ExplorationReport run() {
        ExplorationRun.Perturbation mode = failure == null
                ? ExplorationRun.Perturbation.CANCELLED : ExplorationRun.Perturbation.FAILURE_INJECTED;
        Exploration.Run first = runOnce(0, mode);
        List<ExplorationReport.Violation> violations = new ArrayList<>(first.violations());
        List<String> notes = new ArrayList<>();
        int points = first.points();
        int explored = Math.min(points, maxPoints);
        if (first.thrown() != null) {
            explored = 0;
            notes.add("the runs at each point were skipped: the operation fails without any perturbation");
        } else if (explored < points) {
            notes.add("only the first " + explored + " of " + points + " points were explored (maxPoints)");
        }
        for (int k = 1; k <= explored; k++) {
            Exploration.Run r = runOnce(k, mode);
            violations.addAll(r.violations());
        }
        return new ExplorationReport(points, explored, mode, first.sites(), violations, notes);
    }

    private Exploration.Run runOnce(int k, ExplorationRun.Perturbation mode) {
        Exploration e = new Exploration(operation, before, leaks, failure, allowRecovery, k, mode,
                invariants.stream().map(Named::name).toList(), invariants.stream().map(Named::invariant).toList());
        return virtualTime ? VirtualClock.create().autoAdvance().call(e::run) : e.run();
    }

    @Override
    public String toString() {
        return "CancellationExplorer[" + invariants.size() + " invariants"
                + (failure == null ? "" : ", injecting failures") + ", " + leaks + "]";
    }
}
