package org.cancelkit.jetty;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.http.DeadlineHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * A Jetty 12 {@link Handler} wrapper that gives every request a {@link CancellationToken}: it adopts
 * the caller's deadline from the {@value DeadlineHeader#NAME} header, bounds it by the server's
 * {@linkplain HandlerOptions#maximum() maximum}, and cancels the token when the client goes away (H4).
 *
 * {@snippet :
 * CancellationSource serverToken = CancellationSource.create(); // cancel it to shut down
 * Server server = new Server(8080);
 * server.setHandler(new DeadlineHandler(serverToken.token(),
 *         HandlerOptions.defaults().withMaximum(Duration.ofSeconds(10)),
 *         new Handler.Abstract() {
 *             @Override
 *             public boolean handle(Request request, Response response, Callback callback) throws Exception {
 *                 String page = render();         // Cancellation.current() is the request's token:
 *                 Cancellation.check();           // stops at the deadline, the maximum, a shutdown, or when the client leaves
 *                 Content.Sink.write(response, true, page, callback);
 *                 return true;
 *             }
 *         }));
 * }
 *
 * <h2>What it does, per request</h2>
 * <ul>
 *   <li>The token is a child of the parent given at construction (a server-wide token, so a shutdown
 *       reaches every request). Its deadline is the earlier of the caller's and the server's maximum,
 *       counted from when the request reaches this handler; a request without the header gets the
 *       maximum. No request runs unbounded, whatever its client sends.</li>
 *   <li>With several header values (several lines, or a comma-separated list, as a proxy that appends
 *       its own tighter deadline sends), the earliest wins. The syntax and what is refused are in
 *       {@link DeadlineHeader}.</li>
 *   <li>The wrapped handler's {@code handle} runs bound to the token ({@link CancellationToken#call}):
 *       {@link org.cancelkit.Cancellation#current()} is the token, and its blocking calls are
 *       interrupted when it is cancelled. Code that completes the callback later, on another thread,
 *       finds the token with {@link #token(Request)}.</li>
 *   <li>When Jetty reports a failure of the request to its failure listeners, the token is cancelled
 *       with a reason that says so: the client went away.</li>
 *   <li>When the request completes (the callback succeeded or failed), the token is closed.</li>
 * </ul>
 *
 * <h2>What the client is answered</h2>
 * <ul>
 *   <li>{@code 400} without running the handler: a malformed header (a sign, a fraction, a letter, a
 *       control character, no value, more than {@value DeadlineHeader#MAX_VALUES} values), with a
 *       message that says what was wrong. One bad value refuses the request even next to good ones: it
 *       may have been the tightest.</li>
 *   <li>{@code 504} without running the handler: a deadline that had already passed on arrival
 *       ({@code 0}).</li>
 *   <li>{@code 503}, with {@code Retry-After} as the options say, without running the handler: the
 *       parent token had been cancelled (the server is shutting down or draining).</li>
 *   <li>When the wrapped handler fails (throws, or fails the callback) after its token was cancelled
 *       and before anything was committed: {@code 504} if the caller's deadline or the maximum passed,
 *       saying which; {@code 503} with {@code Retry-After} if the parent was cancelled (a shutdown,
 *       or the parent's own deadline) or someone cancelled the request's token; nothing if the client
 *       went away (there is nobody to answer: the callback is failed and Jetty closes the exchange).
 *       Otherwise a failure is Jetty's to answer, as without this handler (500).</li>
 * </ul>
 *
 * <h2>When Jetty sees the client go away (Jetty 12.1, checked in the tests)</h2>
 * <ul>
 *   <li>HTTP/2 (also cleartext, {@code HTTP2CServerConnectionFactory}): a client that cancels resets its
 *       stream, and Jetty reports it at once to a handler that has not committed its response: the
 *       token is cancelled while the handler still works.</li>
 *   <li>HTTP/1.1: Jetty does not watch the connection while a handler runs without reading or
 *       writing, so a closed connection is noticed only at the handler's next write (which fails). The
 *       propagated deadline, and at the latest the server's maximum, is then what stops the handler.</li>
 *   <li>Once the response is committed, a reset reaches the handler as a failed write, not through
 *       the token.</li>
 * </ul>
 *
 * <h2>Pitfalls</h2>
 * The maximum and the deadline only cancel the token: a handler that neither blocks interruptibly nor
 * checks {@link org.cancelkit.Cancellation#check()} runs on, and holds its Jetty thread. The maximum
 * counts from when the request reaches this handler, not from when it arrived on the connection: time
 * spent queued for a Jetty thread is not in it.
 *
 * <p>Thread-safe, as Jetty requires of handlers.
 */
public final class DeadlineHandler extends Handler.Wrapper {
    private static final String ATTRIBUTE = DeadlineHandler.class.getName() + ".token";

    private final CancellationToken parent;
    private final HandlerOptions options;

    /**
     * Wraps a handler with {@linkplain HandlerOptions#defaults() the default options}; each request's
     * token is a new root.
     *
     * @param handler the handler to run bound to each request's token
     */
    public DeadlineHandler(Handler handler) {
        this(CancellationToken.never(), handler);
    }

    /**
     * Wraps a handler with {@linkplain HandlerOptions#defaults() the default options}; each request's
     * token is a child of {@code parent}.
     *
     * @param parent the server's token: cancelling it cancels every request
     * @param handler the handler to run bound to each request's token
     */
    public DeadlineHandler(CancellationToken parent, Handler handler) {
        this(parent, HandlerOptions.defaults(), handler);
    }

    /**
     * Wraps a handler; each request's token is a child of {@code parent}, bounded by the options'
     * maximum.
     *
     * @param parent the server's token: cancelling it cancels every request; {@link
     *     CancellationToken#never()} for none
     * @param options the maximum every request is bounded by, and what a shutdown answers
     * @param handler the handler to run bound to each request's token
     */
    public DeadlineHandler(CancellationToken parent, HandlerOptions options, Handler handler) {
        super(Objects.requireNonNull(handler, "handler"));
        this.parent = Objects.requireNonNull(parent, "parent");
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Returns the options this handler bounds and answers requests with.
     *
     * @return the options
     */
    public HandlerOptions options() {
        return options;
    }

    /**
     * Returns the token of a request that went through a {@code DeadlineHandler}.
     *
     * @param request the request
     * @return its token, or empty when no {@code DeadlineHandler} handled it
     */
    public static Optional<CancellationToken> token(Request request) {
        return request.getAttribute(ATTRIBUTE) instanceof CancellationToken t ? Optional.of(t) : Optional.empty();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Optional<CancelReason> stopped = parent.reason();
        if (stopped.isPresent()) {
            unavailable(request, response, callback, stopped.get());
            return true;
        }
        Admission admission = Admission.of(request.getHeaders().getValuesList(DeadlineHeader.NAME), options.maximum());
        if (admission instanceof Admission.Refuse refuse) {
            Response.writeError(request, response, callback, refuse.status(), refuse.message());
            return true;
        }
        Admission.Run run = (Admission.Run) admission;
        // A child of never() is a new root. This handler owns each request's source; everyone else sees a view.
        CancellationToken root = parent;
        Exchange exchange = new Exchange(request, response, callback, root.child(run.budget()), run.byMaximum());
        request.setAttribute(ATTRIBUTE, exchange.token.token()); // handlers get the read-only view
        request.addFailureListener(exchange::clientWentAway);
        boolean handled;
        try {
            handled = exchange.token.call(() -> super.handle(request, response, exchange));
        } catch (Exception | Error e) {
            // An exception after the token was cancelled is its consequence (CancelledException, an
            // interrupted call): answered by how the token was cancelled, 503, 504 or nothing. An Error is not.
            if (e instanceof Exception && exchange.token.isCancelled() && !exchange.completed.get()) {
                exchange.failed(e);
                return true;
            }
            exchange.token.close();
            throw e;
        }
        if (!handled) {
            exchange.token.close();
        }
        return handled;
    }

    /** Answers 503, with {@code Retry-After} when the options say so: the server stopped the request. */
    private void unavailable(Request request, Response response, Callback callback, CancelReason reason) {
        String retryAfter = options.retryAfterHeader();
        if (retryAfter != null) {
            response.getHeaders().put("Retry-After", retryAfter);
        }
        Response.writeError(request, response, callback, 503, "the server stopped serving this request ("
                + reason.kind().name().toLowerCase(Locale.ROOT) + ": " + reason.message() + "); it may be retried"
                + (retryAfter == null ? "" : " after " + retryAfter + " s") + ", here or on another instance");
    }

    /**
     * One request: its token, and the wrapped handler's callback, which closes the token when the request
     * completes and answers a request stopped by its token according to why (see the class comment).
     *
     * <p>Threads: {@code clientGone} is written by the Jetty thread that runs the failure listeners and
     * read by whichever thread completes the request; {@code completed} is set once by that thread.
     */
    private final class Exchange implements Callback {
        private final Request request;
        private final Response response;
        private final Callback callback;
        final CancellationSource token;
        private final boolean byMaximum;
        final AtomicBoolean completed = new AtomicBoolean();
        private volatile @Nullable CancelReason clientGone;

        Exchange(Request request, Response response, Callback callback, CancellationSource token, boolean byMaximum) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.token = token;
            this.byMaximum = byMaximum;
        }

        /** Jetty's failure listener: the client reset the stream, the connection broke, or the request failed. */
        void clientWentAway(Throwable failure) {
            CancelReason reason = CancelReason.requested("the client went away or the request failed: " + failure);
            clientGone = reason;
            token.cancel(reason);
        }

        @Override
        public void succeeded() {
            if (completed.compareAndSet(false, true)) {
                token.close();
                callback.succeeded();
            }
        }

        @Override
        public void failed(Throwable failure) {
            if (!completed.compareAndSet(false, true)) {
                return;
            }
            // Decided before the close, which would cancel the token with CLOSED.
            CancelReason reason = token.reason().orElse(null);
            token.close();
            if (reason == null || reason == clientGone || response.isCommitted()) {
                // Not stopped by its token (an ordinary failure: Jetty answers 500), or the client is gone,
                // or the status has gone out already: nothing for this handler to answer.
                callback.failed(failure);
            } else if (reason.kind() == CancelReason.Kind.DEADLINE && parent.reason().orElse(null) != reason) {
                Response.writeError(request, response, callback, 504, byMaximum
                        ? "the request ran for the server's maximum of " + options.maximum()
                                + " (HandlerOptions.maximum) and was stopped; send " + DeadlineHeader.NAME
                                + " to say how long the caller waits, or raise the maximum"
                        : "the deadline the caller sent in " + DeadlineHeader.NAME + " passed while handling the request");
            } else {
                unavailable(request, response, callback, reason);
            }
        }

        @Override
        public InvocationType getInvocationType() {
            return callback.getInvocationType();
        }
    }
}
