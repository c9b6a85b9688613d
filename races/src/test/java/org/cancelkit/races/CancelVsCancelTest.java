package org.cancelkit.races;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * C2: cancel(A) ∥ cancel(B) — one reason everywhere. On one token: exactly one call wins, and the
 * token and every descendant report the winner's reason object. On a token and its child: the child
 * and its descendants report one reason between them, the parent's or the child's own.
 */
class CancelVsCancelTest {
    static final CancelReason A = CancelReason.requested("A");
    static final CancelReason B = CancelReason.requested("B");

    /** One token, cancelled twice: the outcome check for the real token and the toy. */
    abstract static class SameToken extends Race {
        boolean wonA;
        boolean wonB;

        abstract Object reasonOf(int level); // 0 the token, 1 its child, 2 its grandchild

        @Override
        void arbiter() {
            forbidIf(wonA == wonB, "cancel(A) returned " + wonA + " and cancel(B) returned " + wonB);
            Object winner = wonA ? A : B;
            for (int level = 0; level <= 2; level++) {
                forbidIf(reasonOf(level) != winner, "level " + level + " reports " + reasonOf(level)
                        + " but the winning cancel was " + winner);
            }
        }
    }

    static final class RealSameToken extends SameToken {
        final CancellationSource token = CancellationSource.create();
        final CancellationSource child = token.child();
        final CancellationSource grandchild = child.child();

        @Override
        void actor1() {
            wonA = token.cancel(A);
        }

        @Override
        void actor2() {
            wonB = token.cancel(B);
        }

        @Override
        Object reasonOf(int level) {
            CancellationSource t = level == 0 ? token : level == 1 ? child : grandchild;
            return t.reason().orElse(null);
        }
    }

    /** cancel(A) on a token ∥ cancel(B) on its child. */
    static final class RealParentAndChild extends Race {
        final CancellationSource parent = CancellationSource.create();
        final CancellationSource child = parent.child();
        final CancellationSource grandchild = child.child();
        final CancellationSource sibling = parent.child();
        boolean wonA;
        boolean wonB;

        @Override
        void actor1() {
            wonA = parent.cancel(A);
        }

        @Override
        void actor2() {
            wonB = child.cancel(B);
        }

        @Override
        void arbiter() {
            Object p = parent.reason().orElse(null);
            Object c = child.reason().orElse(null);
            forbidIf(!wonA || p != A, "parent: cancel(A) returned " + wonA + ", reason " + p);
            forbidIf(c != (wonB ? B : A), "child: cancel(B) returned " + wonB + ", reason " + c);
            forbidIf(grandchild.reason().orElse(null) != c, "grandchild reports "
                    + grandchild.reason().orElse(null) + ", its parent " + c);
            forbidIf(sibling.reason().orElse(null) != A, "sibling reports " + sibling.reason().orElse(null));
        }
    }

    static final class ToySameToken extends SameToken {
        final ToyToken token = new ToyToken();
        final ToyToken child = token.child();
        final ToyToken grandchild = child.child();

        @Override
        void actor1() {
            wonA = token.cancel(A);
        }

        @Override
        void actor2() {
            wonB = token.cancel(B);
        }

        @Override
        Object reasonOf(int level) {
            return (level == 0 ? token : level == 1 ? child : grandchild).reason();
        }
    }

    @Test
    void sameToken() {
        ModelCheck.check(RealSameToken::new, Budget.MODEL);
    }

    @Test
    void parentAndChild() {
        ModelCheck.check(RealParentAndChild::new, Budget.MODEL);
    }

    @Test
    void negativeControl() {
        assertThatThrownBy(() -> ModelCheck.check(ToySameToken::new, Budget.MODEL))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("forbidden: cancel(A) returned true and cancel(B) returned true");
    }

    @Test
    @Tag("stress")
    void thorough() {
        ModelCheck.check(RealSameToken::new, Budget.MODEL_STRESS);
        ModelCheck.check(RealParentAndChild::new, Budget.MODEL_STRESS);
        RealThreads.assertNoForbidden(RealSameToken::new, Budget.REAL_STRESS);
        RealThreads.assertNoForbidden(RealParentAndChild::new, Budget.REAL_STRESS);
    }
}
