package org.cancelkit.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.CheckedCallable;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.http.ClientOptions;
import org.cancelkit.http.DeadlineClient;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * H2 (the breaker's side): the breaker counts errors and the request's own timeouts, not the caller's
 * cancels; and it closes again, on virtual time, through half-open.
 */
class CircuitBreakerTest extends ServerTest {
    /** Runs {@code call} on a forked caller bound to its own token, cancels it once the server has the request. */
    private static @Nullable Throwable cancelledByCaller(VirtualClock clock, String id, CheckedCallable<?, ?> call)
            throws Exception {
        CancellationSource caller = CancellationSource.create();
        AtomicReference<@Nullable Throwable> outcome = new AtomicReference<>();
        Thread t = clock.fork("caller-" + id, () -> {
            try {
                caller.call(call);
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        server.seen(id).awaitArrived();
        caller.cancel("the caller gave up");
        clock.join(t);
        server.seen(id).awaitCancelled();
        return outcome.get();
    }

    @Test
    @DisplayName("H2: four caller cancels leave a 50%-over-4-calls breaker closed with no sample")
    void callerCancelsAreNotCounted(VirtualClock clock) throws Exception {
        CircuitBreaker breaker = Fixtures.breaker("not-counted", clock);
        // 5 s: should Jetty miss a reset, the server's copy of the deadline ends the handler within the
        // 10 s that cancelledByCaller waits for it (see the README's weak spots).
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults()
                .withTimeout(Duration.ofSeconds(5)).withCircuitBreaker(breaker));
        for (int i = 0; i < 4; i++) {
            String id = "not-counted-" + i;
            assertThat(cancelledByCaller(clock, id, () ->
                    client.send(Fixtures.get(server.uri("/slow?id=" + id)), HttpResponse.BodyHandlers.ofString())))
                    .isInstanceOf(CancelledException.class);
        }
        assertThat(breaker.getState()).isEqualTo(State.CLOSED);
        assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).isZero();
    }

    /**
     * Negative control: a breaker that records every exception of the call (as Resilience4j's own
     * decorator does with default settings) counts the caller's cancels too, so the same four caller
     * cancels open the breaker.
     */
    @Test
    @DisplayName("H2 negative control: a breaker that counts the caller's cancels opens after the same four cancels")
    void countingCancelsWouldOpenIt(VirtualClock clock) throws Exception {
        CircuitBreaker breaker = Fixtures.breaker("counts-cancels", clock);
        DeadlineClient plain = DeadlineClient.of(jdk, ClientOptions.defaults().withTimeout(Duration.ofSeconds(5))); // no breaker inside
        for (int i = 0; i < 4; i++) {
            String id = "counts-cancels-" + i;
            assertThat(cancelledByCaller(clock, id, () -> {
                try {
                    return breaker.executeCheckedSupplier(() ->
                            plain.send(Fixtures.get(server.uri("/slow?id=" + id)), HttpResponse.BodyHandlers.ofString()));
                } catch (Exception | Error e) {
                    throw e;
                } catch (Throwable e) {
                    throw new AssertionError("unexpected throwable from the decorated call", e);
                }
            })).isInstanceOf(CancelledException.class);
        }
        assertThat(breaker.getState()).isEqualTo(State.OPEN);
    }

    @Test
    @DisplayName("H2: 5xx responses and own timeouts are counted: the breaker opens")
    void errorsAndTimeoutsAreCounted(VirtualClock clock) throws Exception {
        CircuitBreaker breaker = Fixtures.breaker("counted", clock);
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults()
                .withTimeout(Duration.ofSeconds(1)).withCircuitBreaker(breaker));
        for (int i = 0; i < 2; i++) {
            assertThat(client.send(Fixtures.get(server.uri("/status?code=503")), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(503);
        }
        assertThat(breaker.getState()).isEqualTo(State.CLOSED);
        for (int i = 0; i < 2; i++) {
            String id = "counted-timeout-" + i;
            AtomicReference<@Nullable Throwable> outcome = new AtomicReference<>();
            Thread t = clock.fork("caller", () -> {
                try {
                    client.send(Fixtures.get(server.uri("/slow?id=" + id)), HttpResponse.BodyHandlers.ofString());
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            server.seen(id).awaitArrived();
            clock.advance(Duration.ofSeconds(1));
            clock.join(t);
            assertThat(outcome.get()).isInstanceOf(org.cancelkit.DeadlineExceededException.class);
        }
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(4);
        assertThat(breaker.getState()).isEqualTo(State.OPEN);
    }

    @Test
    @DisplayName("H2: a network error (connection refused) is counted and reaches the caller as IOException")
    void networkErrorsAreCounted(VirtualClock clock) throws Exception {
        CircuitBreaker breaker = Fixtures.breaker("network", clock);
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults().withCircuitBreaker(breaker));
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        assertThatThrownBy(() -> client.send(Fixtures.get(java.net.URI.create("http://127.0.0.1:" + closedPort + "/")),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
        assertThat(client.statistics().failed()).isEqualTo(1);
    }

    @Test
    @DisplayName("Breaker on virtual time: open, refused without sending, half-open on the first call after the wait (not at 30 s, at 30 s + 1 ns), closed after the trial calls")
    void opensThenHalfOpensThenCloses(VirtualClock clock) throws Exception {
        CircuitBreaker breaker = Fixtures.breaker("recovers", clock);
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults().withCircuitBreaker(breaker));
        for (int i = 0; i < 4; i++) {
            client.send(Fixtures.get(server.uri("/status?code=500")), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(breaker.getState()).isEqualTo(State.OPEN);
        long sent = client.statistics().sent();

        // Resilience4j 2.4.0 half-opens on the first call strictly after the wait (Instant.isAfter): at
        // exactly 30 s the breaker is still open, one nanosecond later it admits the trial calls.
        clock.advance(Duration.ofSeconds(30));
        assertThatThrownBy(() -> client.send(Fixtures.get(server.uri("/fast?id=refused")), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(CallNotPermittedException.class);
        assertThat(client.statistics().sent()).as("an open breaker refuses before anything is sent").isEqualTo(sent);
        assertThat(server.seen("refused").arrived.getCount()).isEqualTo(1);

        clock.advance(Duration.ofNanos(1));
        assertThat(client.send(Fixtures.get(server.uri("/fast?id=trial-1")), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        assertThat(breaker.getState()).isEqualTo(State.HALF_OPEN);
        assertThat(client.send(Fixtures.get(server.uri("/fast?id=trial-2")), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        assertThat(breaker.getState()).as("two trial calls succeed: the breaker closes again").isEqualTo(State.CLOSED);
    }
}
