package org.cancelkit.http;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.cancelkit.Bulkhead;
import org.cancelkit.CancelAction;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.MonotonicClock;
import org.cancelkit.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP client whose every request has a deadline, over {@link HttpClient}, through an optional
 * bulkhead and an optional Resilience4j circuit breaker (which half-opens and closes again once the
 * service recovers).
 *
 * {@snippet :
 * DeadlineClient client = DeadlineClient.of(HttpClient.newHttpClient(), ClientOptions.defaults()
 *         .withTimeout(Duration.ofSeconds(2))
 *         .withBulkhead(Bulkhead.of("users", 10))
 *         .withCircuitBreaker(CircuitBreaker.ofDefaults("users")));
 * HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString());
 * }
 *
 * <h2>Deadline (H1)</h2>
 * A request's own timeout is {@link HttpRequest#timeout()} if set, else the options' timeout; its
 * deadline is the earlier of that and the current token's ({@link Cancellation#current()}). The
 * deadline covers the wait for a bulkhead permit, connecting, the response headers and, for a body
 * handler that reads the whole body before it completes ({@code ofString}, {@code ofByteArray},
 * {@code ofFile}, {@code discarding}), the whole body. A streaming handler ({@code ofInputStream},
 * {@code ofLines}, {@code ofPublisher}) completes with the headers: its body is read after
 * {@code send} returns, outside this deadline and the bulkhead; read it inside a {@link Timeout} of
 * your own and close it. The time left is sent to the server in the {@value DeadlineHeader#NAME}
 * header (H4), replacing any such header on the request.
 *
 * <h2>Cancellation (H2)</h2>
 * The exchange runs in a cancel-action region (C9): on cancellation the future of
 * {@link HttpClient#sendAsync} is cancelled, which makes the JDK's client abort the exchange, whether
 * it waits for the headers or reads the body: over HTTP/1.1 it closes the connection, over HTTP/2 it
 * resets the stream. Whether the server's handler learns of it at once depends on the server: see
 * {@code org.cancelkit.jetty.DeadlineHandler} (module {@code org.cancelkit.jetty}). A soft cancel lets the exchange finish within its grace period. The
 * bulkhead permit is returned before {@code send} returns or throws, on every path.
 *
 * <h2>Outcomes and the circuit breaker</h2>
 * <ul>
 *   <li>A response, whatever its status, is returned. The breaker counts 2xx-4xx as successes and
 *       5xx as errors ({@link ServerErrorException}).</li>
 *   <li>This request's own deadline passed: {@link DeadlineExceededException}; the breaker counts it
 *       as an error.</li>
 *   <li>A network failure: the {@link IOException}; the breaker counts it as an error.</li>
 *   <li>The caller's own cancel (its token was cancelled, or a deadline of the caller's passed before
 *       this request's own): {@link CancelledException}; the breaker does not count it, and its
 *       permission is released. The caller giving up says nothing about the service's health.</li>
 *   <li>The breaker is open: {@link CallNotPermittedException}, without sending.</li>
 * </ul>
 *
 * <p>Thread-safe: share one client. Memory consistency: actions before {@code send} happen-before the
 * request is sent; with a handler that reads the whole body, the body is fully read when {@code send}
 * returns it.
 */
public final class DeadlineClient {
    private final HttpClient client;
    private final ClientOptions options;
    private final LongAdder sent = new LongAdder();
    private final LongAdder responses = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder notPermitted = new LongAdder();

    private DeadlineClient(HttpClient client, ClientOptions options) {
        this.client = client;
        this.options = options;
        if (options.circuitBreaker() != null) {
            BreakerEvents.watch(options.circuitBreaker()); // its transitions become cancelkit events
        }
    }

    /**
     * Creates a client.
     *
     * @param client the JDK client that does the exchanges
     * @param options timeout, bulkhead and circuit breaker
     * @return the client
     */
    public static DeadlineClient of(HttpClient client, ClientOptions options) {
        return new DeadlineClient(Objects.requireNonNull(client, "client"), Objects.requireNonNull(options, "options"));
    }

    /**
     * Returns the options.
     *
     * @return the options
     */
    public ClientOptions options() {
        return options;
    }

    /**
     * Sends a request and reads its response, all within the request's deadline (H1).
     *
     * @param request the request; its {@link HttpRequest#timeout()}, if set, is its own timeout
     * @param handler reads the body; its whole reading is within the deadline
     * @param <T> the body's type
     * @return the response, whatever its status
     * @throws DeadlineExceededException when this request's own deadline passed first
     * @throws CancelledException when the caller's token was cancelled (or its earlier deadline passed)
     * @throws CallNotPermittedException when the circuit breaker is open
     * @throws IOException when the exchange failed on the network
     * @throws InterruptedException when the thread was interrupted by someone other than cancelkit
     */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "handler");
        Duration own = request.timeout().orElse(options.timeout());
        Attempt attempt = new Attempt(options.circuitBreaker());
        try {
            HttpResponse<T> response;
            try {
                response = Timeout.call(own, () -> exchange(attempt, request, handler));
            } catch (InterruptedCarrier c) {
                throw c.getCause();
            }
            responses.increment();
            if (response.statusCode() >= 500 && response.statusCode() <= 599) {
                attempt.error(new ServerErrorException(response.statusCode(), describe(request)));
            } else {
                attempt.success();
            }
            return response;
        } catch (DeadlineExceededException e) {
            restoreForeignInterrupt(e);
            timedOut.increment();
            DeadlineExceededException named = new DeadlineExceededException(describe(request)
                    + ": no complete response within its timeout of " + own.toMillis() + " ms", e);
            attempt.error(named);
            throw named;
        } catch (CancelledException e) {
            restoreForeignInterrupt(e);
            cancelled.increment();
            attempt.release();
            throw e;
        } catch (InterruptedException e) {
            // Not cancelkit's interrupt (that one surfaces as CancelledException): not the service's fault;
            // rethrown so the interrupt reaches the caller.
            cancelled.increment();
            attempt.release();
            throw e;
        } catch (CallNotPermittedException e) {
            notPermitted.increment();
            throw e;
        } catch (IOException | RuntimeException | Error e) {
            failed.increment();
            attempt.error(e);
            throw e;
        }
    }

    /** Runs inside the request's timeout: the current token carries the request's deadline (H1). */
    @SuppressWarnings("try") // the permit is held for the block and returned by its close
    private <T> HttpResponse<T> exchange(Attempt attempt, HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException {
        Bulkhead bulkhead = options.bulkhead();
        try (Bulkhead.@Nullable Permit permit = bulkhead == null ? null : bulkhead.acquire()) {
            attempt.acquire();
            CancellationToken token = Cancellation.current();
            HttpRequest.Builder b = HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase(DeadlineHeader.NAME));
            token.remaining().ifPresent(left -> b.setHeader(DeadlineHeader.NAME, DeadlineHeader.format(left)));
            HttpRequest sending = b.build();
            sent.increment();
            CompletableFuture<HttpResponse<T>> future = client.sendAsync(sending, handler);
            // C9: no interrupt inside. A cancel cancels the future, which makes the JDK client abort the
            // exchange, while waiting for the headers or reading the body: over HTTP/1.1 it closes the
            // connection, over HTTP/2 it resets the stream (both checked against Jetty in the jetty module's tests). The
            // region turns the resulting CancellationException into CancelledException.
            CancelAction abort = CancelAction.of(() -> future.cancel(true));
            try {
                return Cancellation.withCancelAction(abort, () -> await(future));
            } finally {
                // Whatever ended the wait (a foreign interrupt, an error), no exchange outlives send: it
                // would hold a connection unbounded after the permit below went back (H2).
                if (!future.isDone()) {
                    future.cancel(true);
                }
            }
        } catch (InterruptedException e) {
            // From the bulkhead's wait: someone other than cancelkit interrupted the caller. Carried through
            // the timeout unchecked and rethrown as it is by send, so the caller sees the interrupt.
            throw new InterruptedCarrier(e);
        }
    }

    private static <T> T await(CompletableFuture<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            // No cancelkit interrupt reaches a cancel-action region, so this one is someone else's: carried
            // through the region and the timeout, rethrown by send.
            throw new InterruptedCarrier(e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException("the exchange failed: " + cause, cause);
        }
    }

    /**
     * Someone else's interrupt that met a cancel on its way out is carried as a cause: the flag was
     * cleared when it was caught, so set it again for the caller rather than lose it.
     */
    private static void restoreForeignInterrupt(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedCarrier) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String describe(HttpRequest request) {
        return request.method() + " " + request.uri();
    }

    /**
     * Returns a snapshot of the counters.
     *
     * @return the statistics
     */
    public Statistics statistics() {
        return new Statistics(sent.sum(), responses.sum(), timedOut.sum(), cancelled.sum(), failed.sum(),
                notPermitted.sum());
    }

    /**
     * What a client has done since it was created. The counters are read one after another, so a
     * snapshot taken while requests run may be off by the requests that ended meanwhile.
     *
     * @param sent exchanges started
     * @param responses requests that returned a response (any status)
     * @param timedOut requests stopped by their own deadline
     * @param cancelled requests stopped by the caller's cancel or an interrupt
     * @param failed requests that failed otherwise (network errors)
     * @param notPermitted requests the open circuit breaker refused
     */
    public record Statistics(long sent, long responses, long timedOut, long cancelled, long failed,
                             long notPermitted) {}

    /** Carries an InterruptedException through lambdas whose one checked type is IOException. */
    private static final class InterruptedCarrier extends RuntimeException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        InterruptedCarrier(InterruptedException cause) {
            super(cause);
        }

        @Override
        public synchronized InterruptedException getCause() {
            return (InterruptedException) super.getCause();
        }
    }

    /** One request's dealings with the breaker: asked for permission at most once, reported at most once. */
    private static final class Attempt {
        private final @Nullable CircuitBreaker breaker;
        /** Written and read by the sending thread only (the timeout's body runs on it). */
        private boolean permitted;
        private long start;

        Attempt(@Nullable CircuitBreaker breaker) {
            this.breaker = breaker;
        }

        void acquire() {
            if (breaker != null) {
                breaker.acquirePermission();
                permitted = true;
                start = MonotonicClock.current().nanoTime();
            }
        }

        void success() {
            if (breaker != null && permitted) {
                permitted = false;
                breaker.onSuccess(MonotonicClock.current().nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        }

        void error(Throwable t) {
            if (breaker != null && permitted) {
                permitted = false;
                breaker.onError(MonotonicClock.current().nanoTime() - start, TimeUnit.NANOSECONDS, t);
            }
        }

        void release() {
            if (breaker != null && permitted) {
                permitted = false;
                breaker.releasePermission();
            }
        }
    }
}
