package org.cancelkit.races;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cancelkit.CancellationSource;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * C5: cancel ∥ onCancel — the callback runs exactly once, whichever comes first. Three shapes of the
 * listener list, because registering takes a different path in each: empty (the callback goes
 * directly into the head), one callback already there (the head is upgraded to stripes while the
 * cancel may be closing it), and a child already there (stripes from the start).
 */
class CancelVsRegisterTest {

    /** The outcome check, the same for the real token and the toy. */
    abstract static class Shape extends Race {
        final Count runs = new Count();
        final Count earlierRuns = new Count();
        boolean hasEarlier;

        @Override
        void arbiter() {
            forbidIf(runs.get() != 1, "callback ran " + runs.get() + " times");
            forbidIf(hasEarlier && earlierRuns.get() != 1, "earlier callback ran " + earlierRuns.get() + " times");
        }
    }

    static final class Real extends Shape {
        final CancellationSource token = CancellationSource.create();

        static Real empty() {
            return new Real();
        }

        static Real withCallback() {
            Real r = new Real();
            r.hasEarlier = true;
            r.token.onCancel(r.earlierRuns);
            return r;
        }

        static Real withChild() {
            Real r = new Real();
            r.token.child();
            return r;
        }

        @Override
        void actor1() {
            token.cancel();
        }

        @Override
        void actor2() {
            token.onCancel(runs);
        }
    }

    static final class Toy extends Shape {
        final ToyToken token = new ToyToken();

        @Override
        void actor1() {
            token.cancel("toy");
        }

        @Override
        void actor2() {
            token.onCancel(runs);
        }
    }

    @Test
    void emptyList() {
        ModelCheck.check(Real::empty, Budget.MODEL);
    }

    @Test
    void listWithACallback() {
        ModelCheck.check(Real::withCallback, Budget.MODEL);
    }

    @Test
    void listWithAChild() {
        ModelCheck.check(Real::withChild, Budget.MODEL);
    }

    @Test
    void negativeControl() {
        assertThatThrownBy(() -> ModelCheck.check(Toy::new, Budget.MODEL))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("forbidden: callback ran 0 times");
    }

    @Test
    @Tag("stress")
    void thorough() {
        ModelCheck.check(Real::empty, Budget.MODEL_STRESS);
        ModelCheck.check(Real::withCallback, Budget.MODEL_STRESS);
        ModelCheck.check(Real::withChild, Budget.MODEL_STRESS);
    }
}
