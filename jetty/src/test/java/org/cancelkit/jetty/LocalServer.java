package org.cancelkit.jetty;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.CancelReason;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.cancelkit.http.DeadlineHeader;
import org.eclipse.jetty.http.HttpHeader;
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
import org.eclipse.jetty.util.FutureCallback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * A real Jetty server on an ephemeral loopback port, behind a {@link DeadlineHandler}. Its endpoints
 * report what they saw through {@link Seen} records, keyed by the request's {@code id} query
 * parameter, so a test waits for the handler's own events (latches), never for time to pass.
 *
 * <ul>
 *   <li>{@code /fast?id=x} answers "fast" at once, with the deadline header it received.</li>
 *   <li>{@code /slow?id=x} waits for its token to be cancelled, then records the reason.</li>
 *   <li>{@code /stall-body?id=x} sends the headers and the first bytes, then waits until the test
 *       says to write the rest, and records how that write went.</li>
 *   <li>{@code /status?code=503} answers that status.</li>
 *   <li>{@code /async?id=x} returns from {@code handle} at once and answers from another thread.</li>
 *   <li>{@code /gate?id=x} answers once the test has opened the request's gate.</li>
 *   <li>{@code /hold?id=x} counts itself among the handlers holding, and answers once the test opens
 *       the server's hold gate.</li>
 * </ul>
 */
final class LocalServer implements AutoCloseable {

    /** What one request's handler saw. */
    static final class Seen {
        final CountDownLatch arrived = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        final AtomicReference<@Nullable CancelReason> reason = new AtomicReference<>();
        final AtomicReference<@Nullable String> deadlineHeader = new AtomicReference<>();
        final AtomicReference<@Nullable Duration> remainingOnArrival = new AtomicReference<>();
        /** The status DeadlineHandler or the endpoint set on the response; 0 for none. */
        final AtomicInteger statusSet = new AtomicInteger();
        /** Counted down when DeadlineHandler completed the request's callback. */
        final CountDownLatch completed = new CountDownLatch(1);
        /** The token the handler ran bound to. */
        final AtomicReference<@Nullable CancellationToken> token = new AtomicReference<>();
        /** For /stall-body: the test says when to write the rest; the handler records how that went. */
        final CountDownLatch writeTheRest = new CountDownLatch(1);
        /** For /async: the token DeadlineHandler.token(request) gave the handler. */
        final AtomicReference<@Nullable CancellationToken> asyncToken = new AtomicReference<>();
        /** For /async: Cancellation.current() in the handler's handle. */
        final AtomicReference<@Nullable CancellationToken> asyncCurrent = new AtomicReference<>();
        /** For /gate: the test opens it, then the handler answers. */
        final CountDownLatch gate = new CountDownLatch(1);
        /** For /drip: System.nanoTime() when a write first failed or the handler's token stopped it. */
        final java.util.concurrent.CompletableFuture<Long> dripFailedAt = new java.util.concurrent.CompletableFuture<>();
        final java.util.concurrent.CompletableFuture<Throwable> secondWrite = new java.util.concurrent.CompletableFuture<>();

        void awaitArrived() throws InterruptedException {
            if (!arrived.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the request never reached the server's handler within 10 s");
            }
        }

        void awaitCompleted() throws InterruptedException {
            if (!completed.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the request was not completed within 10 s");
            }
        }

        CancelReason awaitCancelled() throws InterruptedException {
            if (!ended.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the server's handler was not cancelled within 10 s of the client going away");
            }
            CancelReason r = reason.get();
            if (r == null) {
                throw new AssertionError("the server's handler ended without its token being cancelled");
            }
            return r;
        }
    }

    private final Server server;
    private final URI base;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    final AtomicInteger slowInFlight = new AtomicInteger();
    /** For /hold: how many handlers hold now and at most, who arrived, and the gate that lets them all go. */
    final AtomicInteger holding = new AtomicInteger();
    final AtomicInteger maxHolding = new AtomicInteger();
    final java.util.concurrent.Semaphore holdArrived = new java.util.concurrent.Semaphore(0);
    final CountDownLatch holdGate = new CountDownLatch(1);

    private LocalServer(Server server, URI base) {
        this.server = server;
        this.base = base;
    }

    static LocalServer start() throws Exception {
        return start(CancellationToken.never());
    }

    static LocalServer start(CancellationToken parent) throws Exception {
        return start(parent, HandlerOptions.defaults());
    }

    static LocalServer start(CancellationToken parent, HandlerOptions options) throws Exception {
        return start(parent, options, new Server());
    }

    /** A server on {@code threads} (a Jetty pool of that size), for tests that fill it. */
    static LocalServer start(CancellationToken parent, HandlerOptions options, int threads) throws Exception {
        return start(parent, options, new Server(new QueuedThreadPool(threads)));
    }

    private static LocalServer start(CancellationToken parent, HandlerOptions options, Server server) throws Exception {
        HttpConfiguration config = new HttpConfiguration();
        // HTTP/1.1 and cleartext HTTP/2 (the JDK client upgrades to it when asked for HTTP_2).
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config),
                new HTTP2CServerConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        LocalServer[] self = new LocalServer[1];
        DeadlineHandler deadlines = new DeadlineHandler(parent, options, new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return self[0].route(request, response, callback);
            }
        });
        // In front of the DeadlineHandler: records the status it (or the endpoint) sets, and when it
        // completes the request, so a test can tell what DeadlineHandler answered.
        server.setHandler(new Handler.Wrapper(deadlines) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Seen s = self[0].seen(query(request).getOrDefault("id", "-"));
                Response recording = new Response.Wrapper(request, response) {
                    @Override
                    public void setStatus(int code) {
                        s.statusSet.set(code);
                        super.setStatus(code);
                    }
                };
                // Of the same invocation type as Jetty's callback: a BLOCKING one (Callback.from's default)
                // makes Jetty hand its completion to a thread of its own.
                return super.handle(request, recording, Callback.from(callback.getInvocationType(), () -> {
                    s.completed.countDown();
                    callback.succeeded();
                }, failure -> {
                    s.completed.countDown();
                    callback.failed(failure);
                }));
            }
        });
        server.start();
        self[0] = new LocalServer(server, URI.create("http://127.0.0.1:" + connector.getLocalPort()));
        return self[0];
    }

    URI uri(String pathAndQuery) {
        return base.resolve(pathAndQuery);
    }

    Seen seen(String id) {
        return seen.computeIfAbsent(id, k -> new Seen());
    }

    private boolean route(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        Map<String, String> q = query(request);
        Seen s = seen(q.getOrDefault("id", "-"));
        s.deadlineHeader.set(request.getHeaders().get(DeadlineHeader.NAME));
        s.remainingOnArrival.set(Cancellation.current().remaining().orElse(null));
        s.token.set(Cancellation.current());
        if (path.equals("/slow")) {
            slowInFlight.incrementAndGet(); // before "arrived", so a test that saw it arrive sees it in flight
        }
        s.arrived.countDown();
        switch (path) {
            case "/fast" -> {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                Content.Sink.write(response, true, "fast", callback);
            }
            case "/hold" -> {
                maxHolding.accumulateAndGet(holding.incrementAndGet(), Math::max);
                holdArrived.release();
                try {
                    if (!holdGate.await(20, TimeUnit.SECONDS)) {
                        throw new AssertionError("the test never opened the hold gate");
                    }
                } finally {
                    holding.decrementAndGet();
                }
                Content.Sink.write(response, true, "held", callback);
            }
            case "/drip" -> {
                // Headers and a byte, then a byte every 20 ms until a write fails (at most 30 s): a body
                // that never ends, from a server that notices a closed connection when it writes.
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                try {
                    while (System.nanoTime() < until) {
                        FutureCallback w = new FutureCallback();
                        response.write(false, ByteBuffer.wrap(new byte[] {'.'}), w);
                        try {
                            w.get(10, TimeUnit.SECONDS);
                        } catch (java.util.concurrent.ExecutionException e) {
                            s.dripFailedAt.complete(System.nanoTime());
                            callback.failed(e.getCause());
                            return true;
                        }
                        Thread.sleep(20); // the server's own pace, not a test waiting for something
                    }
                } catch (InterruptedException e) {
                    // The request's token was cancelled (its propagated deadline passed, H4): the handler
                    // stops here, in its write or its pause. Record when; keep the flag for Jetty's thread.
                    s.dripFailedAt.complete(System.nanoTime());
                    Thread.currentThread().interrupt();
                    callback.failed(e);
                    return true;
                }
                s.dripFailedAt.completeExceptionally(new AssertionError("no write failed in 30 s"));
                Content.Sink.write(response, true, "", callback);
            }
            case "/async" -> {
                // Returns at once and answers later from another thread, finding its token by the request.
                CancellationToken token = DeadlineHandler.token(request).orElse(null);
                s.asyncToken.set(token);
                s.asyncCurrent.set(Cancellation.current());
                Thread.ofVirtual().start(() -> Content.Sink.write(response, true,
                        "async, token cancelled while handling: " + (token != null && token.isCancelled()), callback));
            }
            case "/gate" -> {
                if (!s.gate.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("the test never opened the gate");
                }
                Content.Sink.write(response, true, "through the gate", callback);
            }
            case "/status" -> {
                response.setStatus(Integer.parseInt(q.getOrDefault("code", "500")));
                Content.Sink.write(response, true, "status", callback);
            }
            case "/slow" -> {
                try {
                    waitForCancel(s);
                } finally {
                    slowInFlight.decrementAndGet();
                }
                callback.failed(new IllegalStateException("cancelled: " + s.reason.get()));
            }
            case "/stall-body" -> {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                FutureCallback first = new FutureCallback();
                response.write(false, ByteBuffer.wrap("first bytes;".getBytes(StandardCharsets.US_ASCII)), first);
                first.get(10, TimeUnit.SECONDS);
                if (!s.writeTheRest.await(10, TimeUnit.SECONDS)) {
                    s.secondWrite.completeExceptionally(new AssertionError("the test never said to write the rest"));
                }
                // Write until a write fails (the client went away) or 100 chunks of 64 KiB went out.
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                Throwable failure = null;
                for (int i = 0; i < 100 && failure == null; i++) {
                    FutureCallback rest = new FutureCallback();
                    response.write(false, chunk.duplicate(), rest);
                    try {
                        rest.get(10, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        failure = e.getCause();
                    } catch (java.util.concurrent.TimeoutException e) {
                        failure = new AssertionError("a write neither completed nor failed within 10 s", e);
                    }
                }
                if (failure == null) {
                    s.secondWrite.completeExceptionally(new AssertionError("6 MiB more went out: nobody closed the connection"));
                    Content.Sink.write(response, true, "", callback);
                } else {
                    s.secondWrite.complete(failure);
                    callback.failed(failure);
                }
            }
            default -> Response.writeError(request, response, callback, 404, "no such endpoint: " + path);
        }
        return true;
    }

    /** Waits, bound to the request's token, until it is cancelled; records the reason. */
    private static void waitForCancel(Seen s) {
        CancellationToken token = Cancellation.current();
        try {
            token.awaitCancellation();
        } catch (InterruptedException e) {
            // The handler's thread is a Jetty pool thread: keep the flag for Jetty to see.
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // CancelledException: the token we wait on was cancelled, which is what we wait for.
        }
        s.reason.set(token.reason().orElse(null));
        s.ended.countDown();
    }

    private static Map<String, String> query(Request request) {
        Map<String, String> q = new ConcurrentHashMap<>();
        String raw = request.getHttpURI().getQuery();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int i = kv.indexOf('=');
                if (i > 0) {
                    q.put(kv.substring(0, i), kv.substring(i + 1));
                }
            }
        }
        return q;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (InterruptedException e) {
            // Stopping was interrupted: keep the flag for the test's thread, and say the server may live on.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the test server", e);
        } catch (Exception e) {
            throw new IllegalStateException("the test server did not stop: " + e, e);
        }
    }
}
