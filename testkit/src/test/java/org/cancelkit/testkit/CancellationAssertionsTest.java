package org.cancelkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cancelkit.testkit.CancellationAssertions.assertCancellationPoint;
import static org.cancelkit.testkit.CancellationAssertions.assertNoCancellationPoint;
import static org.cancelkit.testkit.CancellationAssertions.countCancellationPoints;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.junit.jupiter.api.Test;

/** Trio's assert_checkpoints, and each assertion caught lying (negative controls). */
class CancellationAssertionsTest {

    @Test
    void anExplicitCheckIsACancellationPoint() {
        assertCancellationPoint(Cancellation::check);
    }

    @Test
    void aLibraryWaitIsACancellationPoint() {
        assertCancellationPoint(() -> Cancellation.sleep(Duration.ofDays(1)));
        assertCancellationPoint(() -> CancellationSource.create().awaitCancellation());
    }

    @Test
    void anInterruptibleJdkCallIsACancellationPointToo() {
        // The bound thread finds itself interrupted: the long sleep exists only to be interrupted.
        assertCancellationPoint(() -> Thread.sleep(Duration.ofDays(1)));
    }

    @Test
    void plainComputationIsNoCancellationPoint() {
        AtomicInteger n = new AtomicInteger();
        assertNoCancellationPoint(() -> n.addAndGet(21));
        assertNoCancellationPoint(() -> Cancellation.isCancelled()); // a query, not a point
        assertThat(n).hasValue(21);
    }

    @Test
    void assertCancellationPointIsCaughtLyingAboutCodeWithoutAPoint() {
        assertThatThrownBy(() -> assertCancellationPoint(() -> {}))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected a cancellation point, but the operation returned normally")
                .hasMessageContaining("passed 0 cancelkit cancellation points");
    }

    @Test
    void assertCancellationPointIsCaughtLyingAboutCodeThatSwallowsTheCancel() {
        assertThatThrownBy(() -> assertCancellationPoint(() -> {
            try {
                Cancellation.check();
            } catch (CancelledException swallowed) {
                // the bug under test: carries on as if nothing happened
            }
        })).isInstanceOf(AssertionError.class)
                .hasMessageContaining("passed 1 cancelkit cancellation points and swallowed what they threw");
    }

    @Test
    void assertNoCancellationPointIsCaughtLyingAboutACheck() {
        assertThatThrownBy(() -> assertNoCancellationPoint(() -> {
            Cancellation.check();
        }))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("passed 1 cancellation point, the first at:")
                .hasMessageContaining("org.cancelkit.Cancellation.check")
                .hasMessageContaining(CancellationAssertionsTest.class.getName());
    }

    @Test
    void assertNoCancellationPointIsCaughtLyingAboutAnInterruptibleCall() {
        assertThatThrownBy(() -> assertNoCancellationPoint(() -> Thread.sleep(Duration.ofDays(1))))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("noticed the cancelled token");
    }

    @Test
    void assertionsLeaveNoInterruptBehind() {
        assertCancellationPoint(() -> Thread.sleep(Duration.ofDays(1)));
        assertNoCancellationPoint(() -> {});
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void countsThePointsOfAnUnperturbedRun() throws Exception {
        int n = countCancellationPoints(() -> {
            for (int i = 0; i < 3; i++) {
                Cancellation.check();
            }
            Cancellation.sleep(Duration.ZERO);
        });
        assertThat(n).isEqualTo(4);
        assertThat(countCancellationPoints(() -> {})).isZero();
    }
}
