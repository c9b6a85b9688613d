package org.cancelkit.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.Bulkhead;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.http.ClientOptions;
import org.cancelkit.http.DeadlineClient;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * H2: a cancelled request aborts the exchange (the server's handler sees its client go away), returns
 * its bulkhead permit, and is not counted by the circuit breaker; its own timeout is.
 */
class CancelAbortsTheExchangeTest extends ServerTest {
    @Test
    @DisplayName("H2: the caller's cancel aborts the exchange, the server sees it, the permit comes back, the breaker does not count it")
    void callerCancel(VirtualClock clock) throws Exception {
        Bulkhead bulkhead = Bulkhead.of("h2", 1);
        CircuitBreaker breaker = Fixtures.breaker("h2-cancel", clock);
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults()
                .withBulkhead(bulkhead).withCircuitBreaker(breaker));
        CancellationSource caller = CancellationSource.create();
        AtomicReference<@Nullable Throwable> outcome = new AtomicReference<>();
        Thread t = clock.fork("caller", () -> {
            try {
                caller.call(() -> client.send(Fixtures.get(server.uri("/slow?id=cancel")), HttpResponse.BodyHandlers.ofString()));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        LocalServer.Seen seen = server.seen("cancel");
        seen.awaitArrived();
        assertThat(bulkhead.statistics().inUse()).isEqualTo(1);

        caller.cancel("the user pressed stop");
        clock.join(t);

        assertThat(outcome.get()).isInstanceOf(CancelledException.class);
        CancelReason serverSaw = seen.awaitCancelled();
        assertThat(serverSaw.kind()).isEqualTo(CancelReason.Kind.REQUESTED);
        assertThat(serverSaw.message()).contains("client went away");
        seen.awaitCompleted();
        assertThat(seen.statusSet.get()).as("DeadlineHandler answers a client that went away nothing").isZero();
        assertThat(bulkhead.statistics().inUse()).isZero();
        assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).as("a caller's cancel is not a sample").isZero();
        assertThat(client.statistics().cancelled()).isEqualTo(1);
    }

    /**
     * An interrupt from outside cancelkit (no token cancelled) ends the wait with InterruptedException;
     * the exchange must not run on without its permit. Without the abort in send's finally, the server's
     * handler is never told and this test fails in awaitCancelled.
     */
    @Test
    @DisplayName("H2: a foreign interrupt of the caller aborts the exchange too, and the permit goes back after it")
    void foreignInterrupt(VirtualClock clock) throws Exception {
        Bulkhead bulkhead = Bulkhead.of("h2", 1);
        CircuitBreaker breaker = Fixtures.breaker("h2-interrupt", clock);
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults()
                .withBulkhead(bulkhead).withCircuitBreaker(breaker));
        AtomicReference<@Nullable Throwable> outcome = new AtomicReference<>();
        Thread t = clock.fork("caller", () -> {
            try {
                client.send(Fixtures.get(server.uri("/slow?id=interrupt")), HttpResponse.BodyHandlers.ofString());
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        LocalServer.Seen seen = server.seen("interrupt");
        seen.awaitArrived();
        // Interrupt only once the caller waits for the response: an interrupt that lands before the
        // cancel-action region is entered is held until the region ends (C9), by design.
        long pollUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < pollUntil) {
            Thread.onSpinWait(); // a poll of the caller's state, bounded, not a wait for time to pass
        }
        assertThat(t.getState()).as("the caller waits for the response").isEqualTo(Thread.State.WAITING);
        t.interrupt();
        clock.join(t);

        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(seen.awaitCancelled().message()).contains("client went away");
        assertThat(bulkhead.statistics().inUse()).isZero();
        assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).as("an interrupt is not a sample").isZero();
    }

    @Test
    @DisplayName("H2: the request's own deadline aborts the exchange and counts as a breaker error")
    void ownDeadline(VirtualClock clock) throws Exception {
        Bulkhead bulkhead = Bulkhead.of("h2", 1);
        CircuitBreaker breaker = Fixtures.breaker("h2-timeout", clock);
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults()
                .withTimeout(Duration.ofHours(1)).withBulkhead(bulkhead).withCircuitBreaker(breaker));
        AtomicReference<@Nullable Throwable> outcome = new AtomicReference<>();
        Thread t = clock.fork("caller", () -> {
            try {
                client.send(Fixtures.get(server.uri("/slow?id=own")), HttpResponse.BodyHandlers.ofString());
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        LocalServer.Seen seen = server.seen("own");
        seen.awaitArrived();
        clock.advance(Duration.ofHours(1).minusNanos(1));
        assertThat(t.isAlive()).as("one nanosecond before its deadline the request still runs").isTrue();
        clock.advance(Duration.ofNanos(1));
        clock.join(t);

        assertThat(outcome.get()).isInstanceOf(DeadlineExceededException.class)
                .hasMessageContaining("GET " + server.uri("/slow?id=own"));
        assertThat(seen.awaitCancelled().message()).contains("client went away");
        assertThat(bulkhead.statistics().inUse()).isZero();
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    }

    @Test
    @DisplayName("H2: the request's deadline covers the body: headers sent, body stalled, the deadline stops it and closes the connection")
    void deadlineCoversTheBody(VirtualClock clock) throws Exception {
        // HTTP/1.1 here: an aborted exchange closes its TCP connection, and the server's next writes fail.
        // (Over HTTP/2 the client resets the stream; Jetty 12.1 reports that neither to the failure
        // listeners once the response is committed nor, reliably, to the next write.)
        try (HttpClient http11 = Fixtures.http11Client()) {
            DeadlineClient client = DeadlineClient.of(http11, ClientOptions.defaults().withTimeout(Duration.ofSeconds(5)));
            AtomicReference<@Nullable Throwable> outcome = new AtomicReference<>();
            Thread t = clock.fork("caller", () -> {
                try {
                    client.send(Fixtures.get(server.uri("/stall-body?id=body")), HttpResponse.BodyHandlers.ofString());
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            LocalServer.Seen seen = server.seen("body");
            seen.awaitArrived();
            clock.advance(Duration.ofSeconds(5).minusNanos(1));
            assertThat(t.isAlive()).as("one nanosecond before its deadline the request still runs").isTrue();
            clock.advance(Duration.ofNanos(1));
            clock.join(t);
            assertThat(outcome.get()).isInstanceOf(DeadlineExceededException.class);
            seen.writeTheRest.countDown();
            assertThat(seen.secondWrite.get(20, TimeUnit.SECONDS)).as("the server's writes fail: the connection is closed")
                    .isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    @DisplayName("H2/C8: a soft cancel lets the exchange finish within its grace; the response comes back whole")
    void softCancelLetsItFinish(VirtualClock clock) throws Exception {
        Bulkhead bulkhead = Bulkhead.of("soft", 1);
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults().withBulkhead(bulkhead));
        CancellationSource caller = CancellationSource.create();
        AtomicReference<@Nullable Object> outcome = new AtomicReference<>();
        Thread t = clock.fork("caller", () -> {
            try {
                outcome.set(caller.call(() -> client.send(Fixtures.get(server.uri("/gate?id=soft")),
                        HttpResponse.BodyHandlers.ofString())).body());
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        LocalServer.Seen seen = server.seen("soft");
        seen.awaitArrived();
        // Soft-cancel only once the caller waits for the response, inside its cancel-action region: a
        // cancel that lands before the region is entered stops the call at the entry check (C9), by design.
        long pollUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < pollUntil) {
            Thread.onSpinWait(); // a poll of the caller's state, bounded, not a wait for time to pass
        }
        assertThat(t.getState()).as("the caller waits for the response").isEqualTo(Thread.State.WAITING);
        caller.cancel(CancelReason.shutdown("draining"), Duration.ofHours(1));   // soft: an hour to finish
        seen.gate.countDown();
        clock.join(t);
        assertThat(outcome.get()).isEqualTo("through the gate");
        assertThat(bulkhead.statistics().inUse()).isZero();
    }

    /**
     * Negative control for "the server sees it": a caller that only stops waiting (a timeout
     * around a future nobody cancels) leaves the exchange running: the server's handler
     * is still waiting. Then cancelling the JDK's future is what makes the server see the close.
     */
    @Test
    @DisplayName("H2 negative control: abandoning the future without cancelling it leaves the server's handler running")
    void abandonedFutureIsNotAnAbort() throws Exception {
        CompletableFuture<HttpResponse<String>> f =
                jdk.sendAsync(Fixtures.get(server.uri("/slow?id=abandoned")), HttpResponse.BodyHandlers.ofString());
        LocalServer.Seen seen = server.seen("abandoned");
        seen.awaitArrived();
        // The caller gives up waiting here and walks away. Nothing tells the server: a bounded wait for
        // an event that must not come (the only real-time wait in this class, and it waits for absence).
        assertThat(seen.ended.await(300, TimeUnit.MILLISECONDS)).as("handler cancelled without an abort").isFalse();
        assertThat(server.slowInFlight.get()).isPositive();
        f.cancel(true);
        assertThat(seen.awaitCancelled().message()).contains("client went away");
    }
}
