package org.cancelkit.races;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cancelkit.CancellationSource;
import org.cancelkit.Registration;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * C5: {@code Registration.unregister()} ∥ cancel — if unregister returned true, the callback never
 * runs; if it returned false, the callback had run by the time unregister returned. Two shapes: the
 * callback alone in the list (it sits directly in the token's head) and next to a child (striped).
 */
class UnregisterVsCancelTest {

    /** The outcome check for the real token and the toy. */
    abstract static class Shape extends Race {
        final Count runs = new Count();
        boolean removed;
        int runsWhenUnregisterReturned;

        abstract boolean unregister();

        @Override
        void actor2() {
            removed = unregister();
            runsWhenUnregisterReturned = runs.get();
        }

        @Override
        void arbiter() {
            forbidIf(removed && runs.get() != 0, "unregister() returned true but the callback ran");
            forbidIf(!removed && runsWhenUnregisterReturned != 1, "unregister() returned false when the "
                    + "callback had run " + runsWhenUnregisterReturned + " times");
            forbidIf(runs.get() > 1, "callback ran " + runs.get() + " times");
        }
    }

    static final class Real extends Shape {
        final CancellationSource token = CancellationSource.create();
        final Registration registration;

        private Real(boolean striped) {
            if (striped) {
                token.child();
            }
            registration = token.onCancel(runs);
        }

        static Real alone() {
            return new Real(false);
        }

        static Real nextToAChild() {
            return new Real(true);
        }

        @Override
        void actor1() {
            token.cancel();
        }

        @Override
        boolean unregister() {
            return registration.unregister();
        }
    }

    static final class Toy extends Shape {
        final ToyToken token = new ToyToken();
        final ToyToken.Registration registration = token.onCancel(runs);

        @Override
        void actor1() {
            token.cancel("toy");
        }

        @Override
        boolean unregister() {
            return registration.unregister();
        }
    }

    @Test
    void callbackAlone() {
        ModelCheck.check(Real::alone, Budget.MODEL);
    }

    @Test
    void callbackNextToAChild() {
        ModelCheck.check(Real::nextToAChild, Budget.MODEL);
    }

    @Test
    void negativeControl() {
        assertThatThrownBy(() -> ModelCheck.check(Toy::new, Budget.MODEL))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("forbidden: unregister() returned true but the callback ran");
    }

    @Test
    @Tag("stress")
    void thorough() {
        ModelCheck.check(Real::alone, Budget.MODEL_STRESS);
        ModelCheck.check(Real::nextToAChild, Budget.MODEL_STRESS);
        RealThreads.assertNoForbidden(Real::alone, Budget.REAL_STRESS);
        RealThreads.assertNoForbidden(Real::nextToAChild, Budget.REAL_STRESS);
    }
}
