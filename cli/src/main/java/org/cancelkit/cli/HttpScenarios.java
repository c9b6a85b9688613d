package org.cancelkit.cli;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.Bulkhead;
import org.cancelkit.CancelReason;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.cancelkit.VirtualClock;
import org.cancelkit.http.BreakerClocks;
import org.cancelkit.http.ClientOptions;
import org.cancelkit.http.DeadlineClient;
import org.cancelkit.http.DeadlineHeader;
import org.cancelkit.http.FanOut;
import org.cancelkit.jetty.DeadlineHandler;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/** The http module's scenarios: a page assembled by a fan-out under one deadline, and a breaker that closes again. */
final class HttpScenarios {
    private HttpScenarios() {}

    static List<Scenario> all() {
        return List.of(new FanOutUnderDeadline(), new BreakerClosesAgain());
    }

    /**
     * A local Jetty server (HTTP/1.1 and cleartext HTTP/2) behind a {@link DeadlineHandler}: {@code /fast}
     * answers at once with the deadline it was sent, {@code /slow} waits for its token to be cancelled and
     * records why, {@code /fail} answers 500.
     */
    static final class LocalServer implements AutoCloseable {
        final Server server = new Server();
        final URI base;
        final CountDownLatch slowArrived = new CountDownLatch(1);
        final CountDownLatch slowEnded = new CountDownLatch(1);
        final AtomicReference<@Nullable CancelReason> slowReason = new AtomicReference<>();

        LocalServer() throws Exception {
            HttpConfiguration config = new HttpConfiguration();
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config),
                    new HTTP2CServerConnectionFactory(config));
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            server.setHandler(new DeadlineHandler(new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) throws Exception {
                    return route(request, response, callback);
                }
            }));
            server.start();
            base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        }

        private boolean route(Request request, Response response, Callback callback) {
            switch (Request.getPathInContext(request)) {
                case "/slow" -> {
                    slowArrived.countDown();
                    CancellationToken token = Cancellation.current();
                    try {
                        token.awaitCancellation();
                    } catch (InterruptedException e) {
                        // a Jetty pool thread: keep the flag for Jetty
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        // CancelledException: what this handler waits for
                    }
                    slowReason.set(token.reason().orElse(null));
                    slowEnded.countDown();
                    callback.failed(new IllegalStateException("cancelled"));
                }
                case "/fail" -> {
                    response.setStatus(500);
                    Content.Sink.write(response, true, "broken", callback);
                }
                default -> {
                    String sent = request.getHeaders().get(DeadlineHeader.NAME);
                    Content.Sink.write(response, true, "fast (deadline sent: " + sent + " ms)", callback);
                }
            }
            return true;
        }

        HttpRequest get(String path) {
            return HttpRequest.newBuilder(base.resolve(path)).build();
        }

        @Override
        public void close() {
            try {
                server.stop();
            } catch (InterruptedException e) {
                // keep the flag for the tour, which reports a leftover interrupt as a failure
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException("the tour's server did not stop: " + e, e);
            }
        }
    }

    /** A JDK client on HTTP/2, its connection opened by one request (the upgrade) before the scenario. */
    static HttpClient http2Client(LocalServer server) throws Exception {
        HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        jdk.send(server.get("/fast"), HttpResponse.BodyHandlers.discarding());
        return jdk;
    }

    /** A page from three services, one slow, under a 300 ms overall deadline. */
    static final class FanOutUnderDeadline implements Scenario {
        @Override
        public String name() {
            return "http-fanout";
        }

        @Override
        public String title() {
            return "HTTP fan-out under an overall deadline: the slow call is cancelled on the server, the fast ones return";
        }

        @Override
        public String invariants() {
            return "H1 H2 H3 H4 C1";
        }

        @Override
        public void run(Report r) throws Exception {
            try (LocalServer server = new LocalServer(); HttpClient jdk = http2Client(server)) {
                Bulkhead bulkhead = Bulkhead.of("users-api", 4);
                DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults()
                        .withTimeout(Duration.ofSeconds(5)).withBulkhead(bulkhead));
                List<Thread> parts = new CopyOnWriteArrayList<>();
                FanOut fan = FanOut.within(Duration.ofMillis(300));
                FanOut.Part<String> profile = fan.required("profile", () -> {
                    parts.add(Thread.currentThread());
                    return client.send(server.get("/fast"), HttpResponse.BodyHandlers.ofString()).body();
                });
                FanOut.Part<String> posts = fan.required("posts", () -> {
                    parts.add(Thread.currentThread());
                    return client.send(server.get("/fast"), HttpResponse.BodyHandlers.ofString()).body();
                });
                FanOut.Part<String> friends = fan.optional("friends", () -> {
                    parts.add(Thread.currentThread());
                    return client.send(server.get("/slow"), HttpResponse.BodyHandlers.ofString()).body();
                }, () -> "[] (fallback)");
                long start = System.nanoTime();
                List<String> degraded = fan.run();
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                boolean serverSawIt = server.slowEnded.await(5, TimeUnit.SECONDS);
                CancelReason why = server.slowReason.get();
                r.say("fan-out within 300 ms (each request's own timeout: 5 s): returned after " + elapsedMs + " ms");
                r.say("profile: " + profile.get() + "; posts: " + posts.get() + "; friends: " + friends.get());
                r.say("server's /slow handler: " + (why == null ? "not cancelled" : "cancelled, " + why));
                r.say("bulkhead: " + bulkhead.statistics());
                r.check("H3: it returned at the overall deadline (300-2000 ms), not the 5 s timeout",
                        elapsedMs >= 300 && elapsedMs < 2000);
                r.check("H3: the fast parts returned their values", profile.get().startsWith("fast") && posts.get().startsWith("fast"));
                r.check("H1/H4: the 5 s requests carried the 300 ms overall deadline, not their own",
                        profile.get().matches("fast \\(deadline sent: (300|[12]\\d\\d|\\d\\d?) ms\\)"));
                r.check("H3: only the slow optional part fell back " + degraded, degraded.equals(List.of("friends")));
                r.check("H2/H4: the server's slow handler saw its token cancelled (client went away or deadline passed)",
                        serverSawIt && why != null);
                r.check("H2: the bulkhead has all 4 permits back", bulkhead.statistics().inUse() == 0);
                r.check("C1: no part's thread outlived the fan-out", parts.size() == 3 && parts.stream().noneMatch(Thread::isAlive));
            }
        }
    }

    /** A breaker that opens on failures, half-opens after its wait, and closes again on good trial calls. */
    static final class BreakerClosesAgain implements Scenario {
        @Override
        public String name() {
            return "http-breaker";
        }

        @Override
        public String title() {
            return "A circuit breaker opens on failures, half-opens after its wait, and closes again";
        }

        @Override
        public String invariants() {
            return "H2";
        }

        @Override
        public void run(Report r) throws Exception {
            VirtualClock breakerTime = VirtualClock.create();
            CircuitBreaker breaker = CircuitBreaker.of("users-api", CircuitBreakerConfig.custom()
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(4).minimumNumberOfCalls(4).failureRateThreshold(50)
                    .waitDurationInOpenState(Duration.ofSeconds(30))
                    .permittedNumberOfCallsInHalfOpenState(2)
                    .clock(BreakerClocks.of(breakerTime))
                    .build());
            try (LocalServer server = new LocalServer(); HttpClient jdk = http2Client(server)) {
                DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults()
                        .withTimeout(Duration.ofSeconds(2)).withCircuitBreaker(breaker));
                for (int i = 0; i < 4; i++) {
                    client.send(server.get("/fail"), HttpResponse.BodyHandlers.discarding());
                }
                CircuitBreaker.State afterFailures = breaker.getState();
                r.say("4 calls answered 500: breaker " + afterFailures);
                boolean refused;
                long sentBefore = client.statistics().sent();
                try {
                    client.send(server.get("/fast"), HttpResponse.BodyHandlers.discarding());
                    refused = false;
                } catch (CallNotPermittedException e) {
                    refused = true;
                }
                boolean nothingSent = client.statistics().sent() == sentBefore;
                r.say("a call while open: " + (refused ? "refused without sending" : "sent"));
                breakerTime.advance(Duration.ofSeconds(30).plusMillis(1));
                r.say("30 s later on the breaker's virtual clock (no real waiting):");
                int s1 = client.send(server.get("/fast"), HttpResponse.BodyHandlers.discarding()).statusCode();
                CircuitBreaker.State afterOneTrial = breaker.getState();
                int s2 = client.send(server.get("/fast"), HttpResponse.BodyHandlers.discarding()).statusCode();
                CircuitBreaker.State afterTrials = breaker.getState();
                r.say("trial calls answered " + s1 + ", " + s2 + ": breaker " + afterOneTrial + " then " + afterTrials);
                r.check("the breaker opened after 4 failures out of 4", afterFailures == CircuitBreaker.State.OPEN);
                r.check("while open, a call is refused before anything is sent", refused && nothingSent);
                r.check("after the wait it half-opened for the trial calls", afterOneTrial == CircuitBreaker.State.HALF_OPEN);
                r.check("two good trial calls closed it again",
                        afterTrials == CircuitBreaker.State.CLOSED);
            }
        }
    }
}
