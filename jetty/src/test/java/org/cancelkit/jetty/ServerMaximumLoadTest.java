package org.cancelkit.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.http.DeadlineHeader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * H4 under load, on real time and a real Jetty on loopback: slow clients that send no
 * {@value DeadlineHeader#NAME} header and give up after 200 ms (their connections closed, which Jetty
 * does not see over HTTP/1.1 while a handler waits) fill the server's thread pool. The server's maximum
 * stops every such handler, so a probe sent after them is answered within a few maxima. The negative
 * control runs the same load against a maximum of an hour: the probe is not answered at all.
 */
class ServerMaximumLoadTest {

    @Test
    @DisplayName("H4 load: 40 slow clients without the header on a 16-thread server do not starve a probe; each handler is stopped by the 500 ms maximum")
    void slowClientsDoNotStarveAProbe() throws Exception {
        Result r = load(40, 16, Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(15));
        assertThat(r.probe).as("the probe's answer").isEqualTo(200);
        assertThat(r.probeMs).as("the probe waited at most a few maxima (one round per pool-full of slow handlers)").isLessThanOrEqualTo(10_000);
    }

    @Test
    @DisplayName("H4 load, negative control: with a maximum of an hour the same load starves the probe (no answer in 3 s)")
    void withoutAUsefulMaximumTheProbeStarves() throws Exception {
        assertThatThrownBy(() -> load(40, 16, Duration.ofMillis(200), Duration.ofHours(1), Duration.ofSeconds(3)))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(HttpTimeoutException.class);
    }

    @Test
    @Tag("stress")
    @DisplayName("H4 load (stress): 300 slow clients without the header on Jetty's default 200 threads, 2 s maximum: a probe is answered")
    void threeHundredSlowClients() throws Exception {
        Result r = load(300, 200, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(30));
        assertThat(r.probe).isEqualTo(200);
        assertThat(r.probeMs).isLessThanOrEqualTo(15_000);
    }

    private record Result(int probe, long probeMs) {}

    /**
     * Sends {@code clients} slow requests without the header, each giving up after {@code giveUp}; once all have
     * given up, sends a probe with its own timeout and measures its wait; then checks that every slow
     * handler that ran was stopped by the maximum (a DEADLINE), not by its client going away.
     */
    private static Result load(int clients, int threads, Duration giveUp, Duration maximum, Duration probeTimeout) throws Exception {
        CancellationSource serverToken = CancellationSource.create();
        HandlerOptions options = HandlerOptions.defaults().withMaximum(maximum);
        try (LocalServer server = LocalServer.start(serverToken, options, threads);
             HttpClient slow = Fixtures.http11Client();
             HttpClient probe = Fixtures.http11Client()) {
            try {
                return loadOn(server, slow, probe, clients, threads, giveUp, maximum, probeTimeout);
            } finally {
                // Releases the handlers of the negative control, which nothing else would stop, before the server stops.
                serverToken.cancel(CancelReason.shutdown("end of test"));
            }
        }
    }

    private static Result loadOn(LocalServer server, HttpClient slow, HttpClient probe, int clients, int threads,
                                 Duration giveUp, Duration maximum, Duration probeTimeout) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> gaveUp = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            HttpRequest request = HttpRequest.newBuilder(server.uri("/slow?id=slow-" + i)).timeout(giveUp).build();
            gaveUp.add(slow.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : gaveUp) {
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(HttpTimeoutException.class);
        }
        int inFlight = server.slowInFlight.get();
        long start = System.nanoTime();
        HttpResponse<String> answer;
        try {
            answer = probe.sendAsync(HttpRequest.newBuilder(server.uri("/fast?id=probe")).timeout(probeTimeout).build(),
                    HttpResponse.BodyHandlers.ofString()).get(probeTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } finally {
            System.out.printf("server maximum under load: %d slow clients giving up after %s, %d threads, maximum %s: %d slow handlers "
                            + "in flight when the probe was sent, probe waited %d ms%n",
                    clients, giveUp, threads, maximum, inFlight, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        long probeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // The pool was full of slow handlers when the probe went out: otherwise the test proves nothing.
        assertThat(inFlight).as("slow handlers in flight when the probe was sent").isGreaterThanOrEqualTo(Math.min(clients, threads) / 2);
        // A request whose client gave up before it was even sent never reaches a handler; every one that
        // did was (or will be: it holds its latch until then) stopped by the maximum.
        int checked = 0;
        for (int i = 0; i < clients; i++) {
            LocalServer.Seen seen = server.seen("slow-" + i);
            if (seen.arrived.getCount() == 0) {
                assertThat(seen.awaitCancelled().kind()).as("slow-" + i + " was stopped by the maximum").isEqualTo(CancelReason.Kind.DEADLINE);
                checked++;
            }
        }
        assertThat(checked).as("slow handlers seen stopped by the maximum").isGreaterThanOrEqualTo(inFlight);
        return new Result(answer.statusCode(), probeMs);
    }
}
