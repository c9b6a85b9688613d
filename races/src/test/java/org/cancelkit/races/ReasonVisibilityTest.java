package org.cancelkit.races;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * C2: a reader racing a cancel never sees {@code isCancelled()} true with no {@code reason()} — on the
 * cancelled token or on its child, which the cancel reaches later.
 */
class ReasonVisibilityTest {
    static final CancelReason A = CancelReason.requested("A");

    /** The outcome check for the real token and the toy: actor2 looks twice at both tokens (no loop: cheaper to explore). */
    abstract static class Shape extends Race {
        String seen;

        abstract boolean cancelled(boolean child);

        abstract boolean hasReason(boolean child);

        @Override
        void actor2() {
            look(false);
            look(true);
            look(false);
            look(true);
        }

        private void look(boolean child) {
            if (seen == null && cancelled(child) && !hasReason(child)) {
                seen = (child ? "child" : "token") + " cancelled with no reason";
            }
        }

        @Override
        void arbiter() {
            forbidIf(seen != null, seen);
        }
    }

    static final class Real extends Shape {
        final CancellationSource token = CancellationSource.create();
        final CancellationSource child = token.child();

        @Override
        void actor1() {
            token.cancel(A);
        }

        @Override
        boolean cancelled(boolean c) {
            return (c ? child : token).isCancelled();
        }

        @Override
        boolean hasReason(boolean c) {
            return (c ? child : token).reason().isPresent();
        }
    }

    static final class Toy extends Shape {
        final ToyToken token = new ToyToken();
        final ToyToken child = token.child();

        @Override
        void actor1() {
            token.cancel(A);
        }

        @Override
        boolean cancelled(boolean c) {
            return (c ? child : token).isCancelled();
        }

        @Override
        boolean hasReason(boolean c) {
            return (c ? child : token).reason() != null;
        }
    }

    @Test
    void cancelledImpliesReason() {
        ModelCheck.check(Real::new, Budget.MODEL);
    }

    @Test
    void negativeControl() {
        assertThatThrownBy(() -> ModelCheck.check(Toy::new, Budget.MODEL))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("cancelled with no reason");
    }

    @Test
    @Tag("stress")
    void thorough() {
        ModelCheck.check(Real::new, Budget.MODEL_STRESS);
        RealThreads.assertNoForbidden(Real::new, Budget.REAL_STRESS);
    }
}
