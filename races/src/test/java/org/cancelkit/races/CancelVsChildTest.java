package org.cancelkit.races;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * C2: parent.cancel ∥ parent.child() — the child ends cancelled, with the parent's reason, whichever
 * comes first; also when the cancel starts two levels up.
 */
class CancelVsChildTest {
    static final CancelReason A = CancelReason.requested("A");

    /** The outcome check, the same for the real token and the toy. */
    abstract static class Shape extends Race {
        abstract boolean childCancelled();

        abstract Object childReason();

        abstract Object parentReason();

        @Override
        void arbiter() {
            forbidIf(!childCancelled(), "child of a cancelled parent is not cancelled");
            forbidIf(childReason() != parentReason(), "child reason " + childReason() + " is not the parent's "
                    + parentReason());
        }
    }

    static final class Real extends Shape {
        final CancellationSource root = CancellationSource.create();
        /** The token whose child actor2 makes: the root itself, or a child of it. */
        final CancellationSource parent;
        CancellationSource child;

        private Real(boolean deep) {
            parent = deep ? root.child() : root;
        }

        static Real direct() {
            return new Real(false);
        }

        static Real twoLevelsUp() {
            return new Real(true);
        }

        /**
         * A root shared by requests: two children open at once turned its stripes on (Node,
         * invariant 9), so actor2's child goes through a stripe, made on first use.
         */
        static Real striped() {
            Real r = new Real(false);
            r.root.child();
            r.root.child();
            return r;
        }

        @Override
        void actor1() {
            root.cancel(A);
        }

        @Override
        void actor2() {
            child = parent.child();
        }

        @Override
        boolean childCancelled() {
            return child.isCancelled();
        }

        @Override
        Object childReason() {
            return child.reason().orElse(null);
        }

        @Override
        Object parentReason() {
            return parent.reason().orElse(null);
        }
    }

    /**
     * A child born cancelled (its parent's cancel came first) must pass the cancellation on like any
     * cancelled token: a callback registered on it runs at once (C5), and its own child is cancelled
     * (C2).
     */
    static final class BornCancelled extends Race {
        final CancellationSource parent = CancellationSource.create();
        final Count runs = new Count();
        CancellationSource child;
        CancellationSource grandchild;

        @Override
        void actor1() {
            parent.cancel(A);
        }

        @Override
        void actor2() {
            child = parent.child();
            child.onCancel(runs);
            grandchild = child.child();
        }

        @Override
        void arbiter() {
            forbidIf(!child.isCancelled(), "child of a cancelled parent is not cancelled");
            forbidIf(runs.get() != 1, "callback on the child ran " + runs.get() + " times");
            forbidIf(!grandchild.isCancelled(), "grandchild of a cancelled parent is not cancelled");
        }
    }

    static final class Toy extends Shape {
        final ToyToken parent = new ToyToken();
        ToyToken child;

        @Override
        void actor1() {
            parent.cancel(A);
        }

        @Override
        void actor2() {
            child = parent.child();
        }

        @Override
        boolean childCancelled() {
            return child.isCancelled();
        }

        @Override
        Object childReason() {
            return child.reason();
        }

        @Override
        Object parentReason() {
            return parent.reason();
        }
    }

    @Test
    void childOfTheCancelledToken() {
        ModelCheck.check(Real::direct, Budget.MODEL);
    }

    @Test
    void childBelowTheCancelledToken() {
        ModelCheck.check(Real::twoLevelsUp, Budget.MODEL);
    }

    @Test
    void childOfAStripedRoot() {
        ModelCheck.check(Real::striped, Budget.MODEL);
    }

    /**
     * Regression: a child created under an already-cancelled parent got the parent's state but its own
     * listener list stayed open, so callbacks registered on it never ran and its children were never
     * cancelled. Found by this race; fixed in core (newChild closes the born-cancelled child's list).
     */
    @Test
    void childBornCancelledPassesTheCancellationOn() {
        ModelCheck.check(BornCancelled::new, Budget.MODEL);
    }

    /** The same regression without any race: the interleaving where the cancel is over before child() starts. */
    @Test
    void childBornCancelledPassesTheCancellationOnSequentially() {
        CancellationSource parent = CancellationSource.create();
        parent.cancel(A);
        CancellationSource child = parent.child();
        Race.Count runs = new Race.Count();
        child.onCancel(runs);
        CancellationSource grandchild = child.child();
        assertThat(child.isCancelled()).isTrue();
        assertThat(runs.get()).as("runs of a callback registered on a cancelled token").isEqualTo(1);
        assertThat(grandchild.isCancelled()).as("grandchild of a cancelled token is cancelled").isTrue();
    }

    @Test
    void negativeControl() {
        assertThatThrownBy(() -> ModelCheck.check(Toy::new, Budget.MODEL))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("forbidden: child");
    }

    @Test
    @Tag("stress")
    void thorough() {
        ModelCheck.check(Real::direct, Budget.MODEL_STRESS);
        ModelCheck.check(Real::twoLevelsUp, Budget.MODEL_STRESS);
        ModelCheck.check(Real::striped, Budget.MODEL_STRESS);
        RealThreads.assertNoForbidden(Real::striped, Budget.REAL_STRESS);
        RealThreads.assertNoForbidden(Real::direct, Budget.REAL_STRESS);
        RealThreads.assertNoForbidden(Real::twoLevelsUp, Budget.REAL_STRESS);
    }
}
