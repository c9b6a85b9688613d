package org.cancelkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Ordered steps: in order they pass, out of order they fail, and a failure on another thread is kept. */
class StepsTest {

    @Test
    void stepsInOrderPass() {
        Steps steps = new Steps();
        steps.expect(1);
        steps.expect(2);
        steps.finish(3);
        steps.assertFinished();
        assertThat(steps.current()).isEqualTo(3);
    }

    @Test
    void noStepsAtAllIsFinishedToo() {
        new Steps().assertFinished();
    }

    @Test
    void aStepOutOfOrderFailsAtOnceAndIsRemembered() {
        Steps steps = new Steps();
        steps.expect(1);
        assertThatThrownBy(() -> steps.expect(3)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected step 2 next, but step 3 was reached");
        steps.finish(2);
        assertThatThrownBy(steps::assertFinished).hasMessageContaining("expected step 2 next, but step 3 was reached");
    }

    @Test
    void aStepAfterFinishFails() {
        Steps steps = new Steps();
        steps.finish(1);
        assertThatThrownBy(() -> steps.expect(2)).hasMessageContaining("step 2 was reached after finish(1)");
    }

    @Test
    void unreachedCodeFails() {
        Steps steps = new Steps();
        steps.expect(1);
        assertThatThrownBy(steps::expectUnreached).hasMessageContaining("unreachable, after step 1");
    }

    @Test
    void aMissingFinishFails() {
        Steps steps = new Steps();
        steps.expect(1);
        assertThatThrownBy(steps::assertFinished).hasMessageContaining("finish(2) was never reached");
    }

    @Test
    void awaitStepLetsAThreadWaitForAnother() throws Exception {
        Steps steps = new Steps();
        Thread other = Thread.ofVirtual().start(() -> {
            try {
                steps.awaitStep(1);
                steps.expect(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the step is then missing, and the test says so
            }
        });
        steps.expect(1);
        steps.awaitStep(2);
        other.join();
        steps.finish(3);
        steps.assertFinished();
    }

    @Test
    void awaitStepGivesUpWithAClearMessage() {
        assertThatThrownBy(() -> new Steps().awaitStep(1, Duration.ZERO))
                .hasMessageContaining("step 1 was not reached within PT0S; the last step was 0");
    }

    /** The example of Steps' javadoc, as a test. */
    @Nested
    @CancelkitTest
    class WorkerTest {
        // tag::steps[]
        @Test
        void theWorkerSeesTheCancelWhileAsleep(VirtualClock clock, Steps steps) throws Exception {
            CancellationSource token = CancellationSource.create();
            steps.expect(1);
            Thread worker = clock.fork("worker", () -> {
                try {
                    token.run(() -> {
                        steps.expect(2);
                        Cancellation.sleep(Duration.ofHours(1));
                        steps.expectUnreached();
                    });
                } catch (CancelledException e) {
                    steps.expect(4);                 // woken by the cancel, not by the clock
                }
            });
            clock.awaitParked(1);                    // the worker is in its sleep
            steps.expect(3);
            token.cancel();
            clock.join(worker);
            steps.finish(5);
            assertThat(clock.nanoTime()).isZero();   // no time passed: the cancel woke it
        }
        // end::steps[]
    }
}
