package org.cancelkit.jetty;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.cancelkit.MonotonicClock;
import org.cancelkit.http.BreakerClocks;
import org.cancelkit.testkit.CancelkitExtension;
import org.cancelkit.testkit.Leak;
import org.cancelkit.testkit.Leaks;

/** Shared set-up of the http tests. */
final class Fixtures {
    private Fixtures() {}

    /**
     * The testkit's extension on manual virtual time, with the leak checks that make sense next to a
     * server and a client that live for the whole class: threads (ignoring the JDK client's and Jetty's
     * pool threads and the JDK's delay scheduler, which outlive a test by design) and registrations. A part or task thread left
     * running is still caught. Descriptors are checked by the tests that own their client.
     */
    static CancelkitExtension extension() {
        return CancelkitExtension.create().withAutoAdvance(false).withLeaks(
                Leaks.of(Leak.THREADS, Leak.REGISTRATIONS)
                        .ignoringThreads("HttpClient-.*")
                        .ignoringThreads("qtp.*")
                        .ignoringThreads("Scheduler-.*")
                        .ignoringThreads("Connector-Scheduler-.*")
                        // the JDK's scheduler for timed waits of virtual threads, started on first use
                        .ignoringThreads("ForkJoinPool-\\d+-delayScheduler"));
    }

    /**
     * A JDK client on HTTP/2 (cleartext, by upgrade): an aborted exchange is a RST_STREAM, which Jetty
     * sees at once, whatever the handler is doing.
     */
    static HttpClient jdkClient(LocalServer server) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        // The first request on a cleartext connection is an HTTP/1.1 request asking to upgrade; a cancel
        // that lands before the client has switched to HTTP/2 closes the TCP connection instead of
        // resetting a stream, and Jetty does not see that while the handler runs. One request first, so
        // the tests' requests go over the pooled HTTP/2 connection.
        HttpResponse<String> r = client.send(get(server.uri("/fast?id=warm-up")), HttpResponse.BodyHandlers.ofString());
        if (r.version() != HttpClient.Version.HTTP_2) {
            throw new AssertionError("the test server did not upgrade to HTTP/2: " + r.version());
        }
        return client;
    }

    /**
     * A JDK client on HTTP/1.1: an aborted exchange closes its connection, which Jetty does not watch
     * while a handler runs without reading or writing.
     */
    static HttpClient http11Client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).GET().build();
    }

    static HttpRequest get(URI uri, Duration timeout) {
        return HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    }

    /** A count-based breaker over 4 calls at 50%, half-open after 30 s with 2 trial calls, on {@code clock}. */
    static CircuitBreaker breaker(String name, MonotonicClock clock) {
        return CircuitBreaker.of(name, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(4)
                .minimumNumberOfCalls(4)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .permittedNumberOfCallsInHalfOpenState(2)
                .clock(BreakerClocks.of(clock))
                .build());
    }
}
