package org.cancelkit.cli;

/**
 * One live scenario of the tour: it runs real code on real time, says what happened, and checks the
 * invariant it demonstrates through {@link Report#check}.
 */
public interface Scenario {
    /**
     * Returns a short name for {@code --only}.
     *
     * @return a short name, lower case with dashes
     */
    String name();

    /**
     * Returns what the scenario shows, in one line.
     *
     * @return the title
     */
    String title();

    /**
     * Returns the invariants demonstrated, as DESIGN.md numbers them.
     *
     * @return e.g. {@code "C1 C4"}
     */
    String invariants();

    /**
     * Runs the scenario.
     *
     * @param report where to say what happened and check it
     * @throws Exception when the scenario breaks; the tour reports it as a failed check
     */
    void run(Report report) throws Exception;
}
