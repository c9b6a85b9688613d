package org.cancelkit.races;

/**
 * How hard each race is explored. The default build explores a fast but meaningful number of
 * interleavings per race; the {@code stress} tag ({@code ./mvnw verify -Pstress}) explores many more
 * and also runs the races on real threads. Each can be changed from the command line, e.g.
 * {@code -Draces.model.invocations=1000}.
 *
 * <p>Sizing: with Lincheck 3.7 on the 2-core machine an explored interleaving of the real token costs
 * 10–30 ms. Every negative control and both known bugs are found within 50 interleavings per
 * {@link ModelCheck.Placement} (measured), and the exploration is deterministic, so the default of 80 per
 * placement finds them with margin and keeps the module under three minutes, also on a busy machine.
 */
final class Budget {
    private Budget() {}

    /** Interleavings the model checker explores per race in the default build. */
    static final int MODEL = Integer.getInteger("races.model.invocations", 160);
    /** Interleavings the model checker explores per race under the stress tag. */
    static final int MODEL_STRESS = Integer.getInteger("races.model.stress.invocations", 2_000);
    /** Executions per race on real threads under the stress tag. */
    static final int REAL_STRESS = Integer.getInteger("races.real.stress.iterations", 200_000);
}
