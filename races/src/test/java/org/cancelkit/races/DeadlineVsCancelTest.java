package org.cancelkit.races;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.testkit.VirtualClock;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * C2 with C3: a token's deadline firing ∥ an explicit cancel — one reason. The token has a one-second
 * deadline on a {@link VirtualClock}; one thread advances the clock by a second (the deadline fires on
 * that thread), the other cancels. The token and its child report the same reason object, the
 * deadline's exactly when the explicit cancel lost; the deadline's timer is gone afterwards.
 */
class DeadlineVsCancelTest {
    static final CancelReason A = CancelReason.requested("A");
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    /** The outcome check for the real token and the toy. */
    abstract static class Shape extends Race {
        boolean won;

        abstract Object reason();

        abstract Object childReason();

        abstract boolean isDeadline(Object reason);

        abstract int pendingTimers();

        @Override
        void arbiter() {
            Object r = reason();
            forbidIf(won ? r != A : !isDeadline(r), "cancel(A) returned " + won + " but the reason is " + r);
            forbidIf(childReason() != r, "child reports " + childReason() + ", its parent " + r);
            forbidIf(pendingTimers() != 0, pendingTimers() + " timers still armed");
        }
    }

    /** Explicit cancel of the token whose own deadline fires. */
    static final class Real extends Shape {
        final VirtualClock clock = VirtualClock.create();
        final CancellationSource root = clock.call(CancellationSource::create);
        final CancellationSource token = root.child(TIMEOUT);
        final CancellationSource child = token.child();

        @Override
        void actor1() {
            clock.advance(TIMEOUT);
        }

        @Override
        void actor2() {
            won = token.cancel(A);
        }

        @Override
        Object reason() {
            return token.reason().orElse(null);
        }

        @Override
        Object childReason() {
            return child.reason().orElse(null);
        }

        @Override
        boolean isDeadline(Object reason) {
            return reason instanceof CancelReason r && r.kind() == CancelReason.Kind.DEADLINE;
        }

        @Override
        int pendingTimers() {
            return clock.pendingTimers();
        }
    }

    /** Explicit cancel of the parent while the child's own deadline fires. */
    static final class RealParentCancel extends Race {
        final VirtualClock clock = VirtualClock.create();
        final CancellationSource root = clock.call(CancellationSource::create);
        final CancellationSource token = root.child(TIMEOUT);
        final CancellationSource child = token.child();

        @Override
        void actor1() {
            clock.advance(TIMEOUT);
        }

        @Override
        void actor2() {
            root.cancel(A);
        }

        @Override
        void arbiter() {
            CancelReason r = token.reason().orElse(null);
            forbidIf(r == null || (r != A && r.kind() != CancelReason.Kind.DEADLINE), "token reports " + r);
            forbidIf(child.reason().orElse(null) != r, "child reports " + child.reason().orElse(null)
                    + ", its parent " + r);
            forbidIf(root.reason().orElse(null) != A, "root reports " + root.reason().orElse(null));
            forbidIf(clock.pendingTimers() != 0, clock.pendingTimers() + " timers still armed");
        }
    }

    static final class Toy extends Shape {
        final ToyToken token = new ToyToken();
        final ToyToken child = token.child();

        @Override
        void actor1() {
            token.expire();
        }

        @Override
        void actor2() {
            won = token.cancel(A);
        }

        @Override
        Object reason() {
            return token.reason();
        }

        @Override
        Object childReason() {
            return child.reason();
        }

        @Override
        boolean isDeadline(Object reason) {
            return reason == ToyToken.DEADLINE;
        }

        @Override
        int pendingTimers() {
            return 0;
        }
    }

    @Test
    void ownDeadlineVsCancel() {
        ModelCheck.check(Real::new, Budget.MODEL);
    }

    @Test
    void ownDeadlineVsParentCancel() {
        ModelCheck.check(RealParentCancel::new, Budget.MODEL);
    }

    @Test
    void negativeControl() {
        assertThatThrownBy(() -> ModelCheck.check(Toy::new, Budget.MODEL))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("forbidden: cancel(A) returned true but the reason is toy deadline");
    }

    @Test
    @Tag("stress")
    void thorough() {
        ModelCheck.check(Real::new, Budget.MODEL_STRESS);
        ModelCheck.check(RealParentCancel::new, Budget.MODEL_STRESS);
        RealThreads.assertNoForbidden(Real::new, Budget.REAL_STRESS);
        RealThreads.assertNoForbidden(RealParentCancel::new, Budget.REAL_STRESS);
    }
}
