package org.cancelkit.testkit;

/**
 * A property that must hold after every run of an operation, cancelled or not: "the target file is
 * old or new, whole", "no temp file is left", "the balances sum to 20,000". Given to
 * {@link CancellationExplorer#check(String, Invariant)}.
 *
 * <p>An invariant fails by throwing: an {@link AssertionError} (from JUnit or AssertJ) or any
 * exception. It runs on the explorer's thread after the run (the thread the operation ran on),
 * outside the operation's token.
 */
@FunctionalInterface
public interface Invariant {
    /**
     * Checks the property after a run.
     *
     * @param run which point was perturbed, and how the operation ended
     * @throws Exception when the property does not hold (or an {@link AssertionError})
     */
    void check(ExplorationRun run) throws Exception;
}
