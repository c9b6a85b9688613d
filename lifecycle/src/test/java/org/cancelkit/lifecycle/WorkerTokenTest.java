package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.testkit.CancelkitTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A worker's body is given a read-only view of its token: it observes the shutdown, it cannot cancel
 * itself, its group or the application (only the application, which keeps the source, cancels).
 */
@CancelkitTest
class WorkerTokenTest {

    @Test
    @DisplayName("L1: the body's token is the one it is bound to, read-only; the shutdown still reaches it")
    void theBodyGetsAReadOnlyViewOfTheTokenItIsBoundTo(VirtualClock clock) throws Exception {
        CompletableFuture<CancellationToken> given = new CompletableFuture<>();
        CompletableFuture<CancellationToken> current = new CompletableFuture<>();
        Application app = Application.builder("views")
                .add(Worker.of("w", Duration.ofSeconds(1), token -> {
                    given.complete(token);
                    current.complete(Cancellation.current());
                    token.awaitCancellation();
                }))
                .build().start();
        CancellationToken token = given.get();
        assertThat(token).isNotInstanceOf(CancellationSource.class); // a cast cannot cancel it either
        assertThat(token).isEqualTo(current.get());
        assertThat(token.isCancelled()).isFalse();

        app.shutdown("test");
        ShutdownReport report = app.awaitTermination();
        assertThat(token.isCancelled()).isTrue();
        assertThat(report.worker("w").outcome()).isEqualTo(WorkerOutcome.STOPPED_IN_GRACE);
    }
}
