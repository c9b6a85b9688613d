package org.cancelkit.testkit;

import java.util.Objects;
import org.cancelkit.CancelledException;
import org.jspecify.annotations.Nullable;

/**
 * One run of an operation under the {@link CancellationExplorer}, as an {@link Invariant} sees it.
 *
 * {@snippet :
 * .check("a completed write is visible", run -> {
 *     if (run.completed()) {
 *         assertThat(Files.readString(target)).isEqualTo("new");
 *     }
 * })
 * }
 *
 * <p>Immutable and thread-safe.
 *
 * @param point the cancellation point perturbed in this run, counting from 1; 0 for the first run,
 *     which perturbs nothing and counts the points
 * @param perturbation what was done at that point
 * @param thrown what the operation threw, or null when it returned normally
 */
public record ExplorationRun(int point, Perturbation perturbation, @Nullable Throwable thrown) {

    /** What the explorer did at the chosen point. */
    public enum Perturbation {
        /** Nothing: the first run, which counts the points. */
        NONE,
        /** The token the operation runs under was cancelled, hard, just before the point looked at it. */
        CANCELLED,
        /** The point threw the exception of {@link CancellationExplorer#injecting}. */
        FAILURE_INJECTED
    }

    /**
     * Checks the arguments.
     *
     * @param point the perturbed point, 0 for none
     * @param perturbation what was done
     * @param thrown what the operation threw, or null
     */
    public ExplorationRun {
        if (point < 0) {
            throw new IllegalArgumentException("point must not be negative, was " + point);
        }
        Objects.requireNonNull(perturbation, "perturbation");
    }

    /**
     * Returns true when the operation returned normally.
     *
     * @return true when the operation returned normally
     */
    public boolean completed() {
        return thrown == null;
    }

    /**
     * Returns true when the operation ended with a {@link CancelledException}.
     *
     * @return true when the operation ended with a {@link CancelledException}
     */
    public boolean cancelled() {
        return thrown instanceof CancelledException;
    }
}
