package org.cancelkit.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.Bulkhead;
import org.cancelkit.CancellationSource;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.cancelkit.VirtualClock;
import org.cancelkit.http.ClientOptions;
import org.cancelkit.http.DeadlineClient;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * H1: a request's deadline is the earlier of its own timeout and the caller's; it travels in the
 * header (H4). On virtual time nothing moves during an exchange, so the header's value is exact.
 */
class DeadlineTest extends ServerTest {
    private String headerSeen(String id, HttpRequest request, DeadlineClient client) throws Exception {
        assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        return server.seen(id).deadlineHeader.get();
    }

    @Test
    @DisplayName("H1: the request's own timeout, when earlier than the caller's deadline")
    void ownTimeoutEarlier() throws Exception {
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults());
        String header = CancellationSource.create().child(Duration.ofSeconds(10)).call(() ->
                headerSeen("own-earlier", Fixtures.get(server.uri("/fast?id=own-earlier"), Duration.ofSeconds(2)), client));
        assertThat(header).isEqualTo("2000");
    }

    @Test
    @DisplayName("H1: the caller's deadline, when earlier than the request's own timeout")
    void callerEarlier() throws Exception {
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults());
        String header = Timeout.call(Duration.ofMillis(1500), () ->
                headerSeen("caller-earlier", Fixtures.get(server.uri("/fast?id=caller-earlier"), Duration.ofSeconds(10)), client));
        assertThat(header).isEqualTo("1500");
    }

    @Test
    @DisplayName("H1: with no caller deadline and no request timeout, the options' timeout")
    void optionsTimeout() throws Exception {
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults().withTimeout(Duration.ofMillis(750)));
        assertThat(headerSeen("options", Fixtures.get(server.uri("/fast?id=options")), client)).isEqualTo("750");
        Duration adopted = server.seen("options").remainingOnArrival.get();
        assertThat(adopted).as("H4: the server's handler runs with the deadline it was sent").isNotNull()
                .isPositive().isLessThanOrEqualTo(Duration.ofMillis(750));
    }

    /**
     * Negative control for H4's adoption: a request without the header gives the handler only the
     * server's maximum (30 s by default), not the 750 ms another test's client sent.
     */
    @Test
    @DisplayName("H4 negative control: a plain request carries no deadline and the handler has only the server's maximum")
    void plainRequestHasNoDeadline() throws Exception {
        assertThat(jdk.send(Fixtures.get(server.uri("/fast?id=plain")), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        assertThat(server.seen("plain").deadlineHeader.get()).isNull();
        assertThat(server.seen("plain").remainingOnArrival.get()).isNotNull()
                .isGreaterThan(Duration.ofSeconds(20)).isLessThanOrEqualTo(Duration.ofSeconds(HandlerOptions.DEFAULT_MAXIMUM_SECONDS));
    }

    @Test
    @DisplayName("H1/H2: the caller's earlier deadline stops the request as the caller's cancel: not counted by the breaker, permit back")
    void callerDeadlineIsTheCallersCancel(VirtualClock clock) throws Exception {
        CircuitBreaker breaker = Fixtures.breaker("caller-deadline", clock);
        Bulkhead bulkhead = Bulkhead.of(1);
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults()
                .withTimeout(Duration.ofHours(2)).withCircuitBreaker(breaker).withBulkhead(bulkhead));
        AtomicReference<@Nullable Throwable> outcome = new AtomicReference<>();
        Thread t = clock.fork("caller", () -> {
            try {
                // An hour: the server's copy of the deadline runs on real time and must not pass first.
                Timeout.call(Duration.ofHours(1), () ->
                        client.send(Fixtures.get(server.uri("/slow?id=caller-deadline")), HttpResponse.BodyHandlers.ofString()));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        server.seen("caller-deadline").awaitArrived();
        assertThat(server.seen("caller-deadline").deadlineHeader.get()).isEqualTo("3600000");
        clock.advance(Duration.ofHours(1));
        clock.join(t);
        // The caller's own Timeout reports its deadline; inside, the client saw the caller's cancel.
        assertThat(outcome.get()).isInstanceOf(DeadlineExceededException.class);
        assertThat(client.statistics().cancelled()).isEqualTo(1);
        assertThat(client.statistics().timedOut()).isZero();
        assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).isZero();
        assertThat(bulkhead.statistics().inUse()).isZero();
        assertThat(server.seen("caller-deadline").awaitCancelled().message()).contains("client went away");
    }

    @Test
    @DisplayName("H1: a bulkhead wait counts against the deadline; a cancelled waiter leaves at once and sends nothing")
    void bulkheadWaitIsBounded(VirtualClock clock) throws Exception {
        Bulkhead bulkhead = Bulkhead.of("one", 1);
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults()
                .withTimeout(Duration.ofMinutes(1)).withBulkhead(bulkhead));
        CancellationSource holder = CancellationSource.create();
        CancellationSource waiter = CancellationSource.create();
        AtomicReference<@Nullable Throwable> waiterOutcome = new AtomicReference<>();
        Thread a = clock.fork("holder", () -> {
            try {
                holder.call(() -> client.send(Fixtures.get(server.uri("/slow?id=holder")), HttpResponse.BodyHandlers.ofString()));
            } catch (RuntimeException e) {
                // the holder is cancelled at the end; its outcome is covered elsewhere
            }
        });
        server.seen("holder").awaitArrived();
        Thread b = clock.fork("waiter", () -> {
            try {
                waiter.call(() -> client.send(Fixtures.get(server.uri("/fast?id=waiter")), HttpResponse.BodyHandlers.ofString()));
            } catch (Throwable e) {
                waiterOutcome.set(e);
            }
        });
        clock.awaitParked(1);   // the waiter sits in the bulkhead's queue
        assertThat(bulkhead.statistics().waiting()).isEqualTo(1);
        waiter.cancel("the waiter gave up");
        clock.join(b);
        assertThat(waiterOutcome.get()).isInstanceOf(org.cancelkit.CancelledException.class);
        assertThat(bulkhead.statistics().waiting()).isZero();
        assertThat(bulkhead.statistics().inUse()).isEqualTo(1);
        assertThat(server.seen("waiter").arrived.getCount()).as("the waiter sent nothing").isEqualTo(1);
        holder.cancel("done");
        clock.join(a);
        assertThat(bulkhead.statistics().inUse()).isZero();
    }
}
