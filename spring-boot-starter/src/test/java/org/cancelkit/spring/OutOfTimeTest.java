package org.cancelkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletException;
import java.time.Duration;
import org.cancelkit.CancellationSource;
import org.cancelkit.DeadlineExceededException;
import org.junit.jupiter.api.Test;

/**
 * When a controller fails with a {@link DeadlineExceededException} (a query timeout set from the request's
 * deadline fires on the server a moment before the request's own timer), the filter answers 504 only if the
 * request's own deadline has passed; Spring hands the exception over wrapped in a {@link ServletException}.
 */
class OutOfTimeTest {
    private static final ServletException WRAPPED = new ServletException("Request processing failed",
            new DeadlineExceededException("the statement's deadline passed and its query timeout stopped it", null));

    @Test
    void aDeadlineFailureAfterTheRequestsDeadlineIsTheRequestRunningOutOfTime() {
        try (CancellationSource expired = CancellationSource.create().child(Duration.ZERO)) {
            assertThat(expired.remaining()).hasValueSatisfying(left -> assertThat(left.isPositive()).isFalse());
            assertThat(CancelkitRequestFilter.outOfTime(WRAPPED, expired)).isTrue();
        }
    }

    @Test
    void control_anInnerTimeoutWhileTheRequestHasTimeIsTheControllersFailure() {
        try (CancellationSource live = CancellationSource.create().child(Duration.ofHours(1))) {
            assertThat(CancelkitRequestFilter.outOfTime(WRAPPED, live)).isFalse();
        }
    }

    @Test
    void control_anotherFailureAfterTheDeadlineIsNotMistakenForIt() {
        try (CancellationSource expired = CancellationSource.create().child(Duration.ZERO)) {
            assertThat(CancelkitRequestFilter.outOfTime(new ServletException("boom", new IllegalStateException()),
                    expired)).isFalse();
        }
    }
}
