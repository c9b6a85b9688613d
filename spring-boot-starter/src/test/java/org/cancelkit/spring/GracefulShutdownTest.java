package org.cancelkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancelReason;
import org.cancelkit.spring.app.MeterSnapshot;
import org.cancelkit.spring.app.Probe;
import org.cancelkit.spring.app.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * S2: Spring's graceful shutdown drives cancelkit's: with requests in flight, closing the application
 * soft-cancels them (a cooperative controller finishes within the grace), cancels hard what is left
 * when the grace has passed (a controller that ignores the soft cancel is interrupted, answered 503),
 * and reports the drain in the meters. On Tomcat and on Jetty.
 */
class GracefulShutdownTest {
    /** Client threads: one per request in flight (the common pool may run them one at a time). */
    private static final java.util.concurrent.ExecutorService CLIENTS =
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    /** Generous: the grace is 1 s. */
    private static final Duration BOUND = Duration.ofSeconds(15);

    /** A request over a raw socket, so that what arrives is seen as it is (no client retries). */
    private static CompletableFuture<Http.Answer> call(int port, String path) {
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String raw = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                int status = raw.isEmpty() ? -1 : Integer.parseInt(raw.substring(9, 12));
                String body = raw.contains("\r\n\r\n") ? raw.substring(raw.indexOf("\r\n\r\n") + 4) : "";
                return new Http.Answer(status, body, Duration.ofNanos(System.nanoTime() - start));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, CLIENTS);
    }

    /** The test application on {@code container}: the other's auto-configuration is switched off. */
    private static ConfigurableApplicationContext start(String container, String... properties) {
        String other = container.equals("jetty")
                ? "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration"
                : "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";
        // a command-line argument: it wins over the test configuration, which switches Jetty off
        ConfigurableApplicationContext app = new SpringApplicationBuilder(TestApp.class)
                .properties("server.port=0").properties(properties).run("--spring.autoconfigure.exclude=" + other);
        assertThat(((WebServerApplicationContext) app).getWebServer().getClass().getSimpleName().toLowerCase())
                .startsWith(container);
        return app;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tomcat", "jetty"})
    void inFlightRequestsDrainWithinTheGraceThenAreCancelledHard(String container) throws Exception {
        ConfigurableApplicationContext app = start(container, "server.shutdown=graceful", "cancelkit.shutdown.grace=1s",
                "cancelkit.web.max-deadline=120s", "cancelkit.shutdown.hard-wait=5s",
                "spring.lifecycle.timeout-per-shutdown-phase=20s");
        int port = ((WebServerApplicationContext) app).getWebServer().getPort();
        Probe probe = app.getBean(Probe.class);
        RequestTokens tokens = app.getBean(RequestTokens.class);
        MeterSnapshot meters = app.getBean(MeterSnapshot.class);

        assertThat(Http.get(port, "/bound").body()).as("warm: the dispatcher servlet is initialised").isEqualTo("true");
        List<CompletableFuture<Http.Answer>> cooperative = List.of(
                call(port, "/cooperative?id=c1"), call(port, "/cooperative?id=c2"));
        CompletableFuture<Http.Answer> stubborn = call(port, "/sleep?id=s1&ms=20000");
        for (String id : List.of("c1", "c2", "s1")) {
            probe.awaitStarted(id);
        }
        assertThat(tokens.liveCount()).isEqualTo(3);

        long start = System.nanoTime();
        app.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("measured (" + container + "): close() with a 1 s grace and 3 requests in flight took "
                + took.toMillis() + " ms; " + Load.average());

        assertThat(took).isLessThan(BOUND);
        for (CompletableFuture<Http.Answer> c : cooperative) {
            Http.Answer a = c.get(10, TimeUnit.SECONDS);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).contains("stopped early");
        }
        assertThat(stubborn.get(10, TimeUnit.SECONDS).status()).isEqualTo(503);
        assertThat(probe.ended.get("s1")).isEqualTo("interrupted");
        assertThat(probe.tokens.get("s1").reason()).map(CancelReason::kind).contains(CancelReason.Kind.SHUTDOWN);

        RequestTokens.Report report = tokens.lastShutdown();
        assertThat(report).isNotNull();
        assertThat(report.inGrace()).isEqualTo(2);
        assertThat(report.afterHardCancel()).isEqualTo(1);
        assertThat(report.abandoned()).isZero();
        assertThat(report.outcome()).isEqualTo(RequestTokens.Outcome.FORCED);
        assertThat(meters.atShutdown).containsEntry("cancelkit.shutdown{component=http.server, outcome=forced}", 1.0)
                .containsEntry("cancelkit.shutdown.stopped{component=http.server, outcome=in_grace}", 2.0)
                .containsEntry("cancelkit.shutdown.stopped{component=http.server, outcome=after_hard_cancel}", 1.0)
                .containsEntry("cancelkit.shutdown.stopped{component=http.server, outcome=abandoned}", 0.0)
                .containsEntry("cancelkit.cancels{reason=shutdown, scope=http.server}", 3.0);
    }

    /**
     * An application context stopped and started again (Spring's {@code stop()}/{@code start()}; Spring's
     * test framework pauses a cached context it is not using and restarts it) serves requests bound to
     * a fresh root: without the renewal the root stayed cancelled and every request was answered 503
     * "the server is shutting down".
     */
    @Test
    void aStoppedAndRestartedApplicationServesRequestsAgain() throws Exception {
        try (ConfigurableApplicationContext app = start("tomcat", "cancelkit.shutdown.grace=1s",
                "cancelkit.shutdown.hard-wait=1s")) {
            RequestTokens tokens = app.getBean(RequestTokens.class);
            app.stop();
            assertThat(tokens.root().isCancelled()).as("the stop drained the requests").isTrue();
            assertThat(tokens.lastShutdown()).isNotNull();
            app.start();
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            assertThat(tokens.root().isCancelled()).isFalse();
            Http.Answer bound = Http.get(port, "/bound");
            assertThat(bound.status()).isEqualTo(200);
            assertThat(bound.body()).isEqualTo("true");
            Http.Answer stopped = Http.get(port, "/sleep?id=r1&ms=30000", "Cancelkit-Deadline-Ms", "500");
            assertThat(stopped.status()).as("stopped by its deadline, not refused").isEqualTo(504);
            assertThat(app.getBean(Probe.class).awaitStarted("r1").reason()).map(CancelReason::kind)
                    .contains(CancelReason.Kind.DEADLINE);
        }
    }
}
