package org.cancelkit.races;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * C2 (TokenTree invariant 4): when any {@code cancel()} returns, every descendant of the token it was
 * called on reports cancelled — also when the call lost to a concurrent cancel that is still walking
 * the tree. Each actor looks at the descendants right after its own cancel returned.
 */
class CancelReturnsTest {
    static final CancelReason A = CancelReason.requested("A");
    static final CancelReason B = CancelReason.requested("B");

    /** The outcome check for the real token and the toy. */
    abstract static class Shape extends Race {
        String seen1;
        String seen2;

        @Override
        void arbiter() {
            forbidIf(seen1 != null, "actor1: " + seen1);
            forbidIf(seen2 != null, "actor2: " + seen2);
        }

        static String uncancelled(String name, boolean cancelled) {
            return cancelled ? null : "cancel() returned while " + name + " was not cancelled";
        }
    }

    /** root → mid → leaf; both actors cancel the root, or actor2 cancels mid. */
    static final class Real extends Shape {
        final CancellationSource root = CancellationSource.create();
        final CancellationSource mid = root.child();
        final CancellationSource leaf = mid.child();
        final CancellationSource second;

        private Real(boolean secondOnMid) {
            second = secondOnMid ? mid : root;
        }

        static Real sameToken() {
            return new Real(false);
        }

        static Real rootAndMid() {
            return new Real(true);
        }

        @Override
        void actor1() {
            root.cancel(A);
            seen1 = firstUncancelled();
        }

        @Override
        void actor2() {
            second.cancel(B);
            seen2 = second == mid ? uncancelled("leaf", leaf.isCancelled()) : firstUncancelled();
        }

        private String firstUncancelled() {
            String m = uncancelled("mid", mid.isCancelled());
            return m != null ? m : uncancelled("leaf", leaf.isCancelled());
        }
    }

    static final class Toy extends Shape {
        final ToyToken root = new ToyToken();
        final ToyToken mid = root.child();
        final ToyToken leaf = mid.child();

        @Override
        void actor1() {
            root.cancel(A);
            seen1 = firstUncancelled();
        }

        @Override
        void actor2() {
            root.cancel(B);
            seen2 = firstUncancelled();
        }

        private String firstUncancelled() {
            String m = uncancelled("mid", mid.isCancelled());
            return m != null ? m : uncancelled("leaf", leaf.isCancelled());
        }
    }

    @Test
    void bothCancelTheSameToken() {
        ModelCheck.check(Real::sameToken, Budget.MODEL);
    }

    @Test
    void oneCancelsTheRootOneTheMiddle() {
        ModelCheck.check(Real::rootAndMid, Budget.MODEL);
    }

    @Test
    void negativeControl() {
        assertThatThrownBy(() -> ModelCheck.check(Toy::new, Budget.MODEL))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("cancel() returned while");
    }

    @Test
    @Tag("stress")
    void thorough() {
        ModelCheck.check(Real::sameToken, Budget.MODEL_STRESS);
        ModelCheck.check(Real::rootAndMid, Budget.MODEL_STRESS);
        RealThreads.assertNoForbidden(Real::sameToken, Budget.REAL_STRESS);
        RealThreads.assertNoForbidden(Real::rootAndMid, Budget.REAL_STRESS);
    }
}
