package org.cancelkit.races;

/**
 * How hard each race is explored. The default build explores a fast but meaningful number of
 * interleavings per race; the {@code stress} tag ({@code ./mvnw verify -Pstress}) explores many more
 * and also runs the races on real threads. Both can be raised from the command line.
 */
final class Budget {
    private Budget() {}

    /** Interleavings the model checker explores per race in the default build. */
    static final int MODEL = Integer.getInteger("races.model.invocations", 1_000);
    /** Interleavings the model checker explores per race under the stress tag. */
    static final int MODEL_STRESS = Integer.getInteger("races.model.stress.invocations", 20_000);
    /** Executions per race on real threads under the stress tag. */
    static final int REAL_STRESS = Integer.getInteger("races.real.stress.iterations", 200_000);
}
