package org.cancelkit.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.VirtualClock;
import org.cancelkit.http.DeadlineHeader;
import org.cancelkit.testkit.CancelkitExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * H4 and the server's maximum: every request's deadline is the earlier of the caller's (the earliest of
 * its {@value DeadlineHeader#NAME} values) and the server's maximum, whatever the header says or
 * whether it is there at all. The servers' request tokens are children of a token made on the test's
 * virtual clock, so the maximum and the header's deadlines follow that clock.
 */
class ServerMaximumTest {
    private static final String H = DeadlineHeader.NAME;
    private static final HandlerOptions TWO_SECONDS = HandlerOptions.defaults().withMaximum(Duration.ofSeconds(2));

    @RegisterExtension
    final CancelkitExtension kit = Fixtures.extension();

    @Test
    @DisplayName("H4: a request without the header is stopped at the server's maximum (not 1 ns earlier) and answered 504")
    void noHeaderStopsAtTheMaximum(VirtualClock clock) throws Exception {
        CancellationSource serverToken = CancellationSource.create();
        try (LocalServer server = LocalServer.start(serverToken, TWO_SECONDS); HttpClient jdk = Fixtures.http11Client()) {
            CompletableFuture<HttpResponse<String>> f =
                    jdk.sendAsync(Fixtures.get(server.uri("/slow?id=no-header")), HttpResponse.BodyHandlers.ofString());
            LocalServer.Seen seen = server.seen("no-header");
            seen.awaitArrived();
            assertThat(seen.remainingOnArrival.get()).isEqualTo(Duration.ofSeconds(2));
            clock.advance(Duration.ofSeconds(2).minusNanos(1));
            assertThat(seen.token.get()).isNotNull().extracting(CancellationToken::isCancelled)
                    .as("not stopped before the maximum").isEqualTo(false);
            clock.advance(Duration.ofNanos(1));
            assertThat(seen.awaitCancelled().kind()).isEqualTo(CancelReason.Kind.DEADLINE);
            HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(504);
            assertThat(r.body()).contains("maximum").contains("PT2S");
        } finally {
            serverToken.close();
        }
    }

    @Test
    @DisplayName("H4: without options, the maximum is 30 s: a request without the header is stopped then")
    void theDefaultMaximumIsThirtySeconds(VirtualClock clock) throws Exception {
        CancellationSource serverToken = CancellationSource.create();
        try (LocalServer server = LocalServer.start(serverToken); HttpClient jdk = Fixtures.http11Client()) {
            CompletableFuture<HttpResponse<String>> f =
                    jdk.sendAsync(Fixtures.get(server.uri("/slow?id=default")), HttpResponse.BodyHandlers.ofString());
            LocalServer.Seen seen = server.seen("default");
            seen.awaitArrived();
            assertThat(seen.remainingOnArrival.get()).isEqualTo(Duration.ofSeconds(30));
            clock.advance(Duration.ofSeconds(30));
            assertThat(seen.awaitCancelled().kind()).isEqualTo(CancelReason.Kind.DEADLINE);
            assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(504);
        } finally {
            serverToken.close();
        }
    }

    @Test
    @DisplayName("H4: a header later than the maximum (Long.MAX_VALUE, or too large for a long) is capped at the maximum; an earlier one is kept")
    void aHugeHeaderIsCapped() throws Exception {
        CancellationSource serverToken = CancellationSource.create();
        try (LocalServer server = LocalServer.start(serverToken, TWO_SECONDS)) {
            String[][] cases = {
                {"max-long", Long.toString(Long.MAX_VALUE), "PT2S"},
                {"overflow", "99999999999999999999999999", "PT2S"},
                {"just-over", "2001", "PT2S"},
                {"earlier", "1500", "PT1.5S"},   // control: the maximum never lengthens nor replaces a tighter deadline
            };
            for (String[] c : cases) {
                RawClient.Answer a = RawClient.get(server.uri("/"), "/fast?id=" + c[0], List.of(H + ": " + c[1]));
                assertThat(a.status()).as(c[0]).isEqualTo(200);
                assertThat(server.seen(c[0]).remainingOnArrival.get()).as(c[0]).isEqualTo(Duration.parse(c[2]));
            }
        } finally {
            serverToken.close();
        }
    }

    @Test
    @DisplayName("H4: with several header lines, or a list in one, the earliest deadline wins whatever the order (HTTP/1.1 and HTTP/2)")
    void severalHeadersTakeTheEarliest() throws Exception {
        CancellationSource serverToken = CancellationSource.create();
        try (LocalServer server = LocalServer.start(serverToken, TWO_SECONDS)) {
            List<List<String>> cases = List.of(
                    List.of(H + ": 1500", H + ": 200"),        // a proxy appended a tighter deadline
                    List.of(H + ": 200", H + ": 1500"),        // control: the order does not matter
                    List.of(H + ": 1500, 200"),                // a proxy merged the two into one list
                    List.of(H + ": 1500 ,\t200 , ", H + ":  900"), // whitespace around elements, an empty element
                    List.of(H + ": 5000", "cancelkit-deadline-ms: 200"));  // names are case-insensitive
            for (int i = 0; i < cases.size(); i++) {
                RawClient.Answer a = RawClient.get(server.uri("/"), "/fast?id=several-" + i, cases.get(i));
                assertThat(a.status()).as(cases.get(i).toString()).isEqualTo(200);
                assertThat(server.seen("several-" + i).remainingOnArrival.get()).as(cases.get(i).toString())
                        .isEqualTo(Duration.ofMillis(200));
            }
            for (HttpClient.Version version : new HttpClient.Version[] {HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2}) {
                try (HttpClient jdk = version == HttpClient.Version.HTTP_2 ? Fixtures.jdkClient(server) : Fixtures.http11Client()) {
                    String id = "jdk-" + version;
                    HttpRequest request = HttpRequest.newBuilder(server.uri("/fast?id=" + id))
                            .header(H, "1500").header(H, "300").build();
                    HttpResponse<String> r = jdk.send(request, HttpResponse.BodyHandlers.ofString());
                    assertThat(r.version()).isEqualTo(version);
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(server.seen(id).remainingOnArrival.get()).as(id).isEqualTo(Duration.ofMillis(300));
                }
            }
        } finally {
            serverToken.close();
        }
    }

    @Test
    @DisplayName("H4: malformed values are answered 400 with what was wrong, the handler never runs; a value of 0 among others is 504")
    void malformedValuesAreRefused() throws Exception {
        CancellationSource serverToken = CancellationSource.create();
        try (LocalServer server = LocalServer.start(serverToken, TWO_SECONDS)) {
            String[][] cases = {
                {"plus", "+5", "whole number"},
                {"fraction", "1.5", "whole number"},
                {"inner-space", "2 50", "whole number"},
                {"negative", "-5", "must not be negative"},
                {"empty", "", "no value"},
                {"only-commas", " , ,", "no value"},
                {"one-bad-of-two", "5000, soon", "soon"},
                {"hex", "0x10", "whole number"},
                {"exponent", "1e3", "whole number"},
                {"obs-text", "25\u00e90", "at index 2"},   // (Jetty itself refuses control characters)
                {"latin1-digit", "2\u00b2", "whole number"},
                {"too-many", "1" + ",1".repeat(DeadlineHeader.MAX_VALUES), "at most " + DeadlineHeader.MAX_VALUES},
            };
            for (String[] c : cases) {
                RawClient.Answer a = RawClient.get(server.uri("/"), "/fast?id=" + c[0], List.of(H + ": " + c[1]));
                assertThat(a.status()).as(c[0] + ": " + a.text()).isEqualTo(400);
                assertThat(a.text()).as(c[0]).contains(H).contains(c[2]);
                assertThat(server.seen(c[0]).arrived.getCount()).as(c[0] + ": the handler never ran").isEqualTo(1);
            }
            RawClient.Answer a = RawClient.get(server.uri("/"), "/fast?id=zero-of-two", List.of(H + ": 5000", H + ": 0"));
            assertThat(a.status()).isEqualTo(504);
            assertThat(server.seen("zero-of-two").arrived.getCount()).as("the handler never ran").isEqualTo(1);
            // Control: exactly MAX_VALUES values are accepted.
            a = RawClient.get(server.uri("/"), "/fast?id=sixteen", List.of(H + ": 900" + ",1000".repeat(DeadlineHeader.MAX_VALUES - 1)));
            assertThat(a.status()).isEqualTo(200);
            assertThat(server.seen("sixteen").remainingOnArrival.get()).isEqualTo(Duration.ofMillis(900));
        } finally {
            serverToken.close();
        }
    }
}
