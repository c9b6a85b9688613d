package org.cancelkit.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.VirtualClock;
import org.cancelkit.http.ClientOptions;
import org.cancelkit.http.DeadlineClient;
import org.cancelkit.http.DeadlineHeader;
import org.cancelkit.testkit.CancelkitExtension;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * H4 on the server: the handler adopts the header's deadline, answers bad input clearly, stops at the
 * deadline, and is cancelled by a shutdown. Each test runs its own server whose request tokens are
 * children of a token made on the test's virtual clock, so the server's deadlines follow that clock.
 */
class DeadlineHandlerTest {
    @RegisterExtension
    final CancelkitExtension kit = Fixtures.extension();

    private static HttpRequest withHeader(java.net.URI uri, String value) {
        return HttpRequest.newBuilder(uri).header(DeadlineHeader.NAME, value).GET().build();
    }

    @Test
    @DisplayName("H4: a malformed or negative header is answered 400 with what was wrong; 0 is answered 504 without running the handler")
    void badHeaders() throws Exception {
        try (LocalServer server = LocalServer.start(); HttpClient jdk = Fixtures.http11Client()) {
            HttpResponse<String> r = jdk.send(withHeader(server.uri("/fast?id=bad"), "soon"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains(DeadlineHeader.NAME).contains("whole number of milliseconds").contains("soon");
            r = jdk.send(withHeader(server.uri("/fast?id=negative"), "-5"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("must not be negative");
            r = jdk.send(withHeader(server.uri("/fast?id=zero"), "0"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(504);
            for (String id : new String[] {"bad", "negative", "zero"}) {
                assertThat(server.seen(id).arrived.getCount()).as(id + ": the handler never ran").isEqualTo(1);
            }
        }
    }

    @Test
    @DisplayName("H4: the handler's token expires at the header's deadline (not 1 ns earlier) and the client gets 504")
    void handlerStopsAtTheDeadline(VirtualClock clock) throws Exception {
        CancellationSource serverToken = CancellationSource.create();   // on the test's virtual clock
        try (LocalServer server = LocalServer.start(serverToken); HttpClient jdk = Fixtures.http11Client()) {
            CompletableFuture<HttpResponse<String>> f =
                    jdk.sendAsync(withHeader(server.uri("/slow?id=expires"), "5000"), HttpResponse.BodyHandlers.ofString());
            LocalServer.Seen seen = server.seen("expires");
            seen.awaitArrived();
            assertThat(seen.remainingOnArrival.get()).isEqualTo(Duration.ofMillis(5000));
            clock.advance(Duration.ofMillis(5000).minusNanos(1));
            assertThat(seen.ended.getCount()).as("not cancelled before the deadline").isEqualTo(1);
            clock.advance(Duration.ofNanos(1));
            assertThat(seen.awaitCancelled().kind()).isEqualTo(CancelReason.Kind.DEADLINE);
            assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(504);
        } finally {
            serverToken.close();
        }
    }

    @Test
    @DisplayName("H4: cancelling the server's token (shutdown) cancels the handlers in flight; they are answered 503 with Retry-After")
    void shutdownReachesHandlers() throws Exception {
        CancellationSource serverToken = CancellationSource.create();
        try (LocalServer server = LocalServer.start(serverToken); HttpClient jdk = Fixtures.http11Client()) {
            CompletableFuture<HttpResponse<String>> f =
                    jdk.sendAsync(HttpRequest.newBuilder(server.uri("/slow?id=shutdown")).build(), HttpResponse.BodyHandlers.ofString());
            server.seen("shutdown").awaitArrived();
            serverToken.cancel(CancelReason.shutdown("SIGTERM"));
            assertThat(server.seen("shutdown").awaitCancelled().kind()).isEqualTo(CancelReason.Kind.SHUTDOWN);
            HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).contains("1");
            assertThat(r.body()).contains("SIGTERM");
            assertThat(server.seen("shutdown").statusSet.get()).as("control: the recorder sees DeadlineHandler's answer").isEqualTo(503);
        }
    }

    @Test
    @DisplayName("H4: a request arriving after the shutdown is answered 503 without running the handler; Retry-After follows the options")
    void requestsAfterTheShutdownAreRefused() throws Exception {
        String[][] cases = {{"PT1S", "1"}, {"PT1.5S", "2"}, {"PT0S", null}};
        for (String[] c : cases) {
            CancellationSource serverToken = CancellationSource.create();
            HandlerOptions options = HandlerOptions.defaults().withRetryAfter(Duration.parse(c[0]));
            try (LocalServer server = LocalServer.start(serverToken, options); HttpClient jdk = Fixtures.http11Client()) {
                serverToken.cancel(CancelReason.shutdown("draining"));
                HttpResponse<String> r = jdk.send(withHeader(server.uri("/fast?id=late"), "60000"), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(c[0]).isEqualTo(503);
                assertThat(r.headers().firstValue("Retry-After")).as(c[0]).isEqualTo(java.util.Optional.ofNullable(c[1]));
                assertThat(r.body()).contains("draining");
                assertThat(server.seen("late").arrived.getCount()).as("the handler never ran").isEqualTo(1);
            }
        }
    }

    /**
     * Over HTTP/1.1 Jetty does not see an aborted client while the handler waits; the propagated
     * deadline is what stops the handler, at the same instant as the client's.
     */
    @Test
    @DisplayName("H4 over HTTP/1.1: the propagated deadline stops the handler when the client's abort is not seen")
    void http11ReliesOnThePropagatedDeadline(VirtualClock clock) throws Exception {
        CancellationSource serverToken = CancellationSource.create();
        try (LocalServer server = LocalServer.start(serverToken); HttpClient http11 = Fixtures.http11Client()) {
            DeadlineClient client = DeadlineClient.of(http11, ClientOptions.defaults().withTimeout(Duration.ofSeconds(3)));
            AtomicReference<@Nullable Throwable> outcome = new AtomicReference<>();
            Thread t = clock.fork("caller", () -> {
                try {
                    client.send(Fixtures.get(server.uri("/slow?id=h11")), HttpResponse.BodyHandlers.ofString());
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            server.seen("h11").awaitArrived();
            clock.advance(Duration.ofSeconds(3));
            clock.join(t);
            assertThat(outcome.get()).isInstanceOf(DeadlineExceededException.class);
            assertThat(server.seen("h11").awaitCancelled().kind()).isEqualTo(CancelReason.Kind.DEADLINE);
        } finally {
            serverToken.close();
        }
    }

    @Test
    @DisplayName("H4: an async handler finds its token by the request; the token lives until the response completes, then is closed")
    void asyncHandlerKeepsItsToken() throws Exception {
        try (LocalServer server = LocalServer.start(); HttpClient jdk = Fixtures.http11Client()) {
            HttpResponse<String> r = jdk.send(withHeader(server.uri("/async?id=async"), "60000"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("async, token cancelled while handling: false");
            CancellationToken token = server.seen("async").asyncToken.get();
            assertThat(token).isNotNull();
            assertThat(token).as("the token the handle ran bound to").isEqualTo(server.seen("async").asyncCurrent.get());
            assertThat(token).as("read-only: only the DeadlineHandler cancels and closes it").isNotInstanceOf(CancellationSource.class);
            // The close runs when the write's callback completes, which may be just after the client has the bytes.
            assertThat(token.awaitCancellation(Duration.ofSeconds(10))).as("closed when the response completed").isTrue();
            assertThat(token.reason()).get().extracting(CancelReason::kind).isEqualTo(CancelReason.Kind.CLOSED);
        }
    }

    @Test
    @DisplayName("DeadlineHeader: format rounds down, parse rejects bad values with a message that says what to send")
    void headerValues() {
        assertThat(DeadlineHeader.format(Duration.ofNanos(1_999_999))).isEqualTo("1");
        assertThat(DeadlineHeader.format(Duration.ZERO)).isEqualTo("0");
        assertThat(DeadlineHeader.format(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Long.toString(Long.MAX_VALUE));
        assertThat(DeadlineHeader.parse(null)).isEmpty();
        assertThat(DeadlineHeader.parse(" 250 ")).contains(Duration.ofMillis(250));
        assertThatThrownBy(() -> DeadlineHeader.parse("1.5")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole number of milliseconds");
        // Only ASCII digits: Long.parseLong would read "+5" as 5 and Arabic-Indic digits as 250.
        for (String bad : new String[] {"+5", "\u0662\u0665\u0660", "5\n", "5\u00a0", "", ","}) {
            assertThatThrownBy(() -> DeadlineHeader.parse(bad)).as("\"" + bad + "\"").isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(DeadlineHeader.NAME);
        }
        // Too large for a long: the longest deadline there is (the server's maximum then caps it).
        assertThat(DeadlineHeader.parse("9".repeat(40))).contains(Duration.ofMillis(Long.MAX_VALUE));
        assertThat(DeadlineHeader.parse("0009")).contains(Duration.ofMillis(9));
        assertThat(DeadlineHeader.parse("900, 250,\t400")).contains(Duration.ofMillis(250));
        assertThat(DeadlineHeader.earliest(java.util.List.of("900", "250, 400"))).contains(Duration.ofMillis(250));
        assertThat(DeadlineHeader.earliest(java.util.List.of())).isEmpty();
        // The message quotes at most 64 characters of what was received, escaped.
        assertThatThrownBy(() -> DeadlineHeader.parse("x".repeat(100_000))).isInstanceOf(IllegalArgumentException.class)
                .message().hasSizeLessThan(400).contains("100000 characters");
        assertThatThrownBy(() -> DeadlineHeader.format(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Duration.ZERO");
    }
}
