package org.cancelkit.races;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The negative controls of the real-thread runner ({@link RealThreads}): it must find forbidden
 * outcomes of broken variants that it finds often on two cores (measured: a lost update about 1 in
 * 1,000 executions, the toy's lost callback and early-returning cancel about 1 in 2,000), and none on
 * the locked counter. Probabilistic, so under the stress tag only.
 */
@Tag("stress")
class RealThreadsSelfTest {

    private static RealThreads.Result run(Supplier<? extends Race> factory) {
        return RealThreads.run(factory, Budget.REAL_STRESS);
    }

    @Test
    void findsALostUpdate() {
        assertThat(run(HarnessSelfTest.LostUpdate::new).forbidden()).isPositive();
    }

    @Test
    void findsTheToysLostCallback() {
        RealThreads.Result r = run(CancelVsRegisterTest.Toy::new);
        assertThat(r.forbidden()).isPositive();
        assertThat(r.firstForbidden()).contains("forbidden: callback ran 0 times");
    }

    @Test
    void findsTheToysEarlyReturningCancel() {
        RealThreads.Result r = run(CancelReturnsTest.Toy::new);
        assertThat(r.forbidden()).isPositive();
        assertThat(r.firstForbidden()).contains("cancel() returned while");
    }

    @Test
    void passesTheLockedCounter() {
        assertThat(run(HarnessSelfTest.Locked::new).forbidden()).isZero();
    }
}
