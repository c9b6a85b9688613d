package org.cancelkit.testkit;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import org.cancelkit.testkit.internal.Stacks;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link CancellationExplorer} found: how many cancellation points the operation passes, and
 * every invariant that did not hold after a run, with the point it was perturbed at and the stack of
 * that point.
 *
 * {@snippet :
 * ExplorationReport report = CancellationExplorer.explore(op).check("no temp file", ...).run();
 * report.assertAllHeld();                       // AssertionError naming each point and invariant
 * assertThat(report.brokenPoints()).containsExactly(3);   // or look at it yourself
 * }
 *
 * <p>Immutable and thread-safe.
 */
public final class ExplorationReport {
    private static final int STACK_FRAMES = 10;

    /**
     * An invariant that did not hold after one run.
     *
     * @param point the perturbed point, counting from 1; 0 for the first, unperturbed run
     * @param invariant the invariant's name; the explorer's own checks are named too (see
     *     {@link CancellationExplorer})
     * @param failure what the invariant threw, or what the explorer found
     * @param pointStack the stack of the perturbed cancellation point, innermost first (empty for
     *     point 0 and for a point that was not reached)
     * @param thrown what the operation threw in that run, or null
     */
    public record Violation(int point, String invariant, Throwable failure, List<StackTraceElement> pointStack,
                            @Nullable Throwable thrown) {
        /**
         * Checks and copies.
         *
         * @param point the perturbed point
         * @param invariant the name
         * @param failure what failed
         * @param pointStack the stack of the point
         * @param thrown what the operation threw, or null
         */
        public Violation {
            Objects.requireNonNull(invariant, "invariant");
            Objects.requireNonNull(failure, "failure");
            pointStack = List.copyOf(pointStack);
        }
    }

    private final int points;
    private final int explored;
    private final ExplorationRun.Perturbation perturbation;
    private final List<String> sites;
    private final List<Violation> violations;
    private final List<String> notes;

    ExplorationReport(int points, int explored, ExplorationRun.Perturbation perturbation, List<String> sites,
                      List<Violation> violations, List<String> notes) {
        this.points = points;
        this.explored = explored;
        this.perturbation = perturbation;
        this.sites = List.copyOf(sites);
        this.violations = List.copyOf(violations);
        this.notes = List.copyOf(notes);
    }

    /**
     * Returns how many cancellation points the first, unperturbed run passed.
     *
     * @return how many cancellation points the first, unperturbed run passed
     */
    public int points() {
        return points;
    }

    /**
     * Returns how many points were perturbed, one run each: {@link #points()} unless capped by
     * {@link CancellationExplorer#maxPoints} or stopped because the first run failed.
     *
     * @return how many points were perturbed
     */
    public int explored() {
        return explored;
    }

    /**
     * Returns where each point is, in order: its kind ({@code check} or {@code wait}) and the first
     * frame outside cancelkit, as seen in the first run.
     *
     * @return one line per point
     */
    public List<String> pointSites() {
        return sites;
    }

    /**
     * Returns every violation, by point then in check order.
     *
     * @return every violation
     */
    public List<Violation> violations() {
        return violations;
    }

    /**
     * Returns the violations of one run.
     *
     * @param point the perturbed point, 0 for the first run
     * @return its violations
     */
    public List<Violation> violationsAt(int point) {
        return violations.stream().filter(v -> v.point() == point).toList();
    }

    /**
     * Returns the points whose run broke an invariant (0 if the unperturbed run did).
     *
     * @return the points whose run broke an invariant
     */
    public SortedSet<Integer> brokenPoints() {
        TreeSet<Integer> set = new TreeSet<>();
        violations.forEach(v -> set.add(v.point()));
        return Collections.unmodifiableSortedSet(set);
    }

    /**
     * Returns true when every invariant held after every run.
     *
     * @return true when every invariant held after every run
     */
    public boolean allHeld() {
        return violations.isEmpty();
    }

    /**
     * Fails unless every invariant held after every run.
     *
     * @throws AssertionError with this report as its message and the first violation's failure as its
     *     cause
     */
    public void assertAllHeld() {
        if (!violations.isEmpty()) {
            throw new AssertionError(toString(), violations.getFirst().failure());
        }
    }

    /**
     * Returns the whole report: the points, then each violation with its point's stack.
     *
     * @return the report as text
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CancellationExplorer: ");
        sb.append(points).append(points == 1 ? " cancellation point" : " cancellation points").append(", ")
                .append(perturbation == ExplorationRun.Perturbation.FAILURE_INJECTED ? "a failure injected" : "cancelled")
                .append(" at each in turn");
        if (explored < points) {
            sb.append(" (the first ").append(explored).append(" only)");
        }
        sb.append("; ").append(violations.isEmpty() ? "every invariant held"
                : violations.size() + (violations.size() == 1 ? " violation" : " violations")
                + " at point" + (brokenPoints().size() == 1 ? " " : "s ") + brokenPoints());
        for (int i = 0; i < sites.size(); i++) {
            sb.append("\n  point ").append(i + 1).append(": ").append(sites.get(i));
        }
        for (String note : notes) {
            sb.append("\n  note: ").append(note);
        }
        for (Violation v : violations) {
            sb.append("\n\n").append(v.point() == 0 ? "Without any perturbation" : "At point " + v.point())
                    .append(", \"").append(v.invariant()).append("\" did not hold:\n    ")
                    .append(String.valueOf(v.failure().getMessage() == null ? v.failure() : v.failure().getMessage())
                            .strip().replace("\n", "\n    "));
            if (!v.pointStack().isEmpty()) {
                sb.append("\n  the ").append(perturbation == ExplorationRun.Perturbation.FAILURE_INJECTED
                        ? "failing" : "cancelled").append(" point:\n")
                        .append(Stacks.render(v.pointStack(), "    ", STACK_FRAMES).stripTrailing());
            }
            if (v.thrown() != null) {
                sb.append("\n  the operation threw: ").append(v.thrown());
            } else if (v.point() > 0) {
                sb.append("\n  the operation returned normally");
            }
        }
        return sb.toString();
    }
}
