package org.cancelkit.races;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CheckedRunnable;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The node protocol of a long-lived tree (C2, C4, C5, C10): a parent's cancel ∥ a child's creation,
 * callback registration and close — the callback runs exactly once, the child ends cancelled with
 * one of the two reasons, the parent keeps its own; and level-triggered redelivery ∥ the exit of the
 * bound region — no interrupt of cancelkit's is ever left on the thread after the call returns,
 * although the watcher keeps setting the status while the region is delivered. Negative controls: the
 * same races on {@link ToyToken} are found forbidden.
 */
class LifetimesRaceTest {
    static final CancelReason A = CancelReason.requested("A");

    /**
     * parent.cancel ∥ (child(), onCancel, close()): the callback runs once, the child ends with the
     * parent's reason or closed, the parent keeps its own.
     */
    abstract static class CancelVsChildAndCloseShape extends Race {
        final Count runs = new Count();

        abstract Object childReason();

        abstract boolean closed(Object reason);

        abstract Object parentReason();

        @Override
        void arbiter() {
            forbidIf(runs.get() != 1, "the child's callback ran " + runs.get() + " times");
            Object reason = childReason();
            forbidIf(reason != A && !closed(reason), "the child's reason is " + reason);
            forbidIf(parentReason() != A, "the parent's reason is " + parentReason());
        }
    }

    static final class CancelVsChildAndClose extends CancelVsChildAndCloseShape {
        final CancellationSource parent = CancellationSource.create();
        CancellationSource child;

        @Override
        void actor1() {
            parent.cancel(A);
        }

        @Override
        void actor2() {
            child = parent.child();
            child.onCancel(runs);
            child.close();
        }

        @Override
        Object childReason() {
            return child.reason().orElse(null);
        }

        @Override
        boolean closed(Object reason) {
            return reason instanceof CancelReason r && r.kind() == CancelReason.Kind.CLOSED;
        }

        @Override
        Object parentReason() {
            return parent.reason().orElse(null);
        }
    }

    /** The same race on {@link ToyToken}, whose check-then-act cancel lets the parent's cancel and the close both win. */
    static final class ToyCancelVsChildAndClose extends CancelVsChildAndCloseShape {
        final ToyToken parent = new ToyToken();
        ToyToken child;

        @Override
        void actor1() {
            parent.cancel(A);
        }

        @Override
        void actor2() {
            child = parent.child();
            child.onCancel(runs);
            child.close();
        }

        @Override
        Object childReason() {
            return child.reason();
        }

        @Override
        boolean closed(Object reason) {
            return reason == ToyToken.CLOSED;
        }

        @Override
        Object parentReason() {
            return parent.reason();
        }
    }

    /** token.cancel ∥ a bound region that keeps consuming its interrupt, then returns. */
    static final class RedeliveryVsExit extends Race {
        final CancellationSource token = CancellationSource.create();
        boolean leaked;

        @Override
        void actor1() {
            token.run(new Consume());
            leaked = Thread.interrupted();
        }

        @Override
        void actor2() {
            token.cancel(A);
        }

        @Override
        void arbiter() {
            forbidIf(leaked, "an interrupt was left on the thread after the bound region");
        }
    }

    /** Consumes the interrupt status for a while, so that redeliveries land during the region. */
    private static final class Consume implements CheckedRunnable<RuntimeException> {
        @Override
        public void run() {
            for (int i = 0; i < 200; i++) {
                Thread.interrupted();
                Thread.onSpinWait();
            }
        }
    }

    /** The toy that forgets to clear its interrupt: the harness must see the leak. */
    static final class LeakyToy extends Race {
        final ToyToken token = ToyToken.leaky();
        boolean leaked;

        @Override
        void actor1() {
            token.run(() -> {
                for (int i = 0; i < 200; i++) {
                    Thread.onSpinWait();
                }
            });
            leaked = Thread.interrupted();
        }

        @Override
        void actor2() {
            token.cancel(A);
        }

        @Override
        void arbiter() {
            forbidIf(leaked, "an interrupt was left on the thread after the bound region");
        }
    }

    @Test
    void cancelVsChildCreationAndClose() {
        ModelCheck.check(CancelVsChildAndClose::new, Budget.MODEL);
    }

    @Test
    void negativeControl_cancelVsChildCreationAndClose() {
        assertThatThrownBy(() -> ModelCheck.check(ToyCancelVsChildAndClose::new, Budget.MODEL))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("forbidden: ");
    }

    @Test
    void redeliveryVsExitOnRealThreads() {
        RealThreads.assertNoForbidden(RedeliveryVsExit::new, 2_000);
    }

    @Test
    void negativeControl_leakIsSeen() {
        RealThreads.Result r = RealThreads.run(LeakyToy::new, 2_000);
        assertThat(r.forbidden()).as("a leaky token's interrupt is seen by the same harness").isPositive();
    }

    @Test
    @Tag("stress")
    void thorough() {
        ModelCheck.check(CancelVsChildAndClose::new, Budget.MODEL_STRESS);
        RealThreads.assertNoForbidden(CancelVsChildAndClose::new, Budget.REAL_STRESS);
        RealThreads.assertNoForbidden(RedeliveryVsExit::new, Budget.REAL_STRESS);
    }
}
