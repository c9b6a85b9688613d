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
 * A token's own deadline firing ∥ its close, and ∥ the creation of its children (C2, C3, C5, C10).
 * The token is a child with a one-second deadline on a {@link VirtualClock}; one thread advances the
 * clock by a second, so the deadline fires on that thread (as in {@link DeadlineVsCancelTest}), the
 * other closes the token or makes children of it.
 *
 * <ul>
 *   <li>Expiry ∥ close: the token ends with one reason, its deadline's or the close's; a child made
 *       before reports that same reason; a callback runs exactly once; no timer stays armed; the
 *       parent is untouched.</li>
 *   <li>Expiry ∥ child creation: a plain child, made before or after the expiry, ends cancelled
 *       with the token's reason, and its callback runs once; a child with its own earlier deadline
 *       ends cancelled too, with the token's reason or its own deadline's; no timer stays armed.</li>
 * </ul>
 *
 * Each has a negative control on {@link ToyToken}, whose cancel (and so its close and its expiry)
 * and child creation are check-then-act.
 */
class ExpiryRaceTest {
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    // ---------------------------------------------------------------- expiry ∥ close

    /** The outcome check of expiry ∥ close, for the real token and the toy. */
    abstract static class ExpiryVsCloseShape extends Race {
        final Count runs = new Count();

        abstract Object reason();

        abstract Object childReason();

        abstract boolean isDeadlineOrClosed(Object reason);

        @Override
        void arbiter() {
            Object r = reason();
            forbidIf(r == null || !isDeadlineOrClosed(r), "the token's reason is " + r);
            forbidIf(childReason() != r, "the child reports " + childReason() + ", its parent " + r);
            forbidIf(runs.get() != 1, "the token's callback ran " + runs.get() + " times");
        }
    }

    static final class RealExpiryVsClose extends ExpiryVsCloseShape {
        final VirtualClock clock = VirtualClock.create();
        final CancellationSource root = clock.call(CancellationSource::create);
        final CancellationSource token = root.child(TIMEOUT);
        final CancellationSource child = token.child();

        RealExpiryVsClose() {
            token.onCancel(runs);
        }

        @Override
        void actor1() {
            clock.advance(TIMEOUT);
        }

        @Override
        void actor2() {
            token.close();
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
        boolean isDeadlineOrClosed(Object reason) {
            return reason instanceof CancelReason r
                    && (r.kind() == CancelReason.Kind.DEADLINE || r.kind() == CancelReason.Kind.CLOSED);
        }

        @Override
        void arbiter() {
            super.arbiter();
            forbidIf(clock.pendingTimers() != 0, clock.pendingTimers() + " timers still armed");
            forbidIf(root.isCancelled(), "the parent was cancelled: " + root.reason().orElse(null));
        }
    }

    static final class ToyExpiryVsClose extends ExpiryVsCloseShape {
        final ToyToken token = new ToyToken();
        final ToyToken child = token.child();

        ToyExpiryVsClose() {
            token.onCancel(runs);
        }

        @Override
        void actor1() {
            token.expire();
        }

        @Override
        void actor2() {
            token.close();
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
        boolean isDeadlineOrClosed(Object reason) {
            return reason == ToyToken.DEADLINE || reason == ToyToken.CLOSED;
        }
    }

    // ---------------------------------------------------------------- expiry ∥ child creation

    /** The outcome check of expiry ∥ child creation, for the real token and the toy. */
    abstract static class ExpiryVsChildShape extends Race {
        final Count runs = new Count();

        abstract boolean childCancelled();

        abstract Object childReason();

        abstract Object reason();

        @Override
        void arbiter() {
            forbidIf(!childCancelled(), "a child of the expired token is not cancelled");
            forbidIf(childReason() != reason(), "the child reports " + childReason() + ", its parent " + reason());
            forbidIf(runs.get() != 1, "the child's callback ran " + runs.get() + " times");
        }
    }

    static final class RealExpiryVsChild extends ExpiryVsChildShape {
        final VirtualClock clock = VirtualClock.create();
        final CancellationSource root = clock.call(CancellationSource::create);
        final CancellationSource token = root.child(TIMEOUT);
        CancellationSource child;
        /** A child whose own deadline is earlier than the token's: it gets a scope and a timer entry of its own. */
        CancellationSource own;

        @Override
        void actor1() {
            clock.advance(TIMEOUT);
        }

        @Override
        void actor2() {
            child = token.child();
            child.onCancel(runs);
            own = token.child(TIMEOUT.dividedBy(2));
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
        Object reason() {
            return token.reason().orElse(null);
        }

        @Override
        void arbiter() {
            super.arbiter();
            Object r = reason();
            forbidIf(!(r instanceof CancelReason cr && cr.kind() == CancelReason.Kind.DEADLINE), "the token's reason is " + r);
            CancelReason o = own.reason().orElse(null);
            forbidIf(o == null || (o != r && o.kind() != CancelReason.Kind.DEADLINE),
                    "the child with its own deadline reports " + o);
            forbidIf(clock.pendingTimers() != 0, clock.pendingTimers() + " timers still armed");
            forbidIf(root.isCancelled(), "the parent was cancelled: " + root.reason().orElse(null));
        }
    }

    static final class ToyExpiryVsChild extends ExpiryVsChildShape {
        final ToyToken token = new ToyToken();
        ToyToken child;

        @Override
        void actor1() {
            token.expire();
        }

        @Override
        void actor2() {
            child = token.child();
            child.onCancel(runs);
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
        Object reason() {
            return token.reason();
        }
    }

    @Test
    void expiryVsClose() {
        ModelCheck.check(RealExpiryVsClose::new, Budget.MODEL);
    }

    @Test
    void negativeControl_expiryVsClose() {
        assertThatThrownBy(() -> ModelCheck.check(ToyExpiryVsClose::new, Budget.MODEL))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("forbidden: ");
    }

    @Test
    void expiryVsChildCreation() {
        ModelCheck.check(RealExpiryVsChild::new, Budget.MODEL);
    }

    @Test
    void negativeControl_expiryVsChildCreation() {
        assertThatThrownBy(() -> ModelCheck.check(ToyExpiryVsChild::new, Budget.MODEL))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("forbidden: ") // a child the expiry missed, or one that saw its flag before its reason
                .hasMessageContaining("child");
    }

    @Test
    @Tag("stress")
    void thorough() {
        ModelCheck.check(RealExpiryVsClose::new, Budget.MODEL_STRESS);
        ModelCheck.check(RealExpiryVsChild::new, Budget.MODEL_STRESS);
        RealThreads.assertNoForbidden(RealExpiryVsClose::new, Budget.REAL_STRESS);
        RealThreads.assertNoForbidden(RealExpiryVsChild::new, Budget.REAL_STRESS);
    }
}
