package org.cancelkit.races;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.Registration;
import org.cancelkit.testkit.VirtualClock;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The soft phase of a node (Node, invariants 1, 2 and 5), where its one list of children and
 * listeners outlives the cancel: a soft cancel and then a hard one ∥ registering a callback, making a
 * child with a hard-cancel callback, and unregistering a callback registered before. Whatever the
 * interleaving: the new callback runs exactly once; the child ends hard and its hard-cancel callback
 * runs exactly once; a hard-cancel callback that was there before runs exactly once; and the earlier
 * callback ran exactly when its unregister said it was too late. Negative control: the same race on
 * {@link ToyToken} (whose cancel has no soft phase, so both of actor 1's cancels are its one cancel)
 * is found forbidden.
 */
class SoftCancelRaceTest {
    static final CancelReason A = CancelReason.requested("A");

    abstract static class Shape extends Race {
        final Count runs = new Count();
        final Count childHardRuns = new Count();
        final Count earlierHardRuns = new Count();
        final Count earlierRuns = new Count();
        boolean unregistered;

        abstract boolean childEndedHard();

        @Override
        void arbiter() {
            forbidIf(runs.get() != 1, "the new callback ran " + runs.get() + " times");
            forbidIf(childHardRuns.get() != 1, "the child's hard-cancel callback ran " + childHardRuns.get() + " times");
            forbidIf(!childEndedHard(), "the child did not end hard");
            forbidIf(earlierHardRuns.get() != 1, "the earlier hard-cancel callback ran " + earlierHardRuns.get() + " times");
            forbidIf(earlierRuns.get() != (unregistered ? 0 : 1), "the earlier callback ran " + earlierRuns.get()
                    + " times although unregister() returned " + unregistered);
        }
    }

    /** On a {@link VirtualClock}, so that the grace's hardening entry needs no timer thread. */
    static final class Real extends Shape {
        final VirtualClock clock = VirtualClock.create();
        final CancellationSource parent = clock.call(CancellationSource::create).child();
        final Registration earlier;
        CancellationSource child;

        Real() {
            parent.onHardCancel(earlierHardRuns);
            earlier = parent.onCancel(earlierRuns);
            parent.child(); // a child already in the list beside the listeners
        }

        @Override
        void actor1() {
            parent.cancel(A, Duration.ofHours(1));
            parent.cancel(A);
        }

        @Override
        void actor2() {
            parent.onCancel(runs);
            child = parent.child();
            child.onHardCancel(childHardRuns);
            unregistered = earlier.unregister();
        }

        @Override
        boolean childEndedHard() {
            return child.isCancelledHard();
        }
    }

    static final class Toy extends Shape {
        final ToyToken parent = new ToyToken();
        final ToyToken.Registration earlier;
        ToyToken child;

        Toy() {
            parent.onCancel(earlierHardRuns);
            earlier = parent.onCancel(earlierRuns);
            parent.child();
        }

        @Override
        void actor1() {
            parent.cancel(A);
            parent.cancel(A);
        }

        @Override
        void actor2() {
            parent.onCancel(runs);
            child = parent.child();
            child.onCancel(childHardRuns);
            unregistered = earlier.unregister();
        }

        @Override
        boolean childEndedHard() {
            return child.isCancelled();
        }
    }

    @Test
    void softThenHardVsRegisterChildAndUnregister() {
        ModelCheck.check(Real::new, Budget.MODEL);
    }

    @Test
    void negativeControl() {
        assertThatThrownBy(() -> ModelCheck.check(Toy::new, Budget.MODEL))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("forbidden: ");
    }

    @Test
    @Tag("stress")
    void thorough() {
        ModelCheck.check(Real::new, Budget.MODEL_STRESS);
    }
}
