package org.cancelkit.http;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A Jetty 12 {@link Handler} wrapper that gives every request a {@link CancellationToken}: it adopts
 * the caller's deadline from the {@value DeadlineHeader#NAME} header and cancels the token when the
 * client goes away (H4).
 *
 * {@snippet :
 * Server server = new Server(8080);
 * server.setHandler(new DeadlineHandler(new Handler.Abstract() {
 *     @Override
 *     public boolean handle(Request request, Response response, Callback callback) throws Exception {
 *         String page = render();                 // Cancellation.current() is the request's token:
 *         Cancellation.check();                   // stops when the deadline passes or the client leaves
 *         Content.Sink.write(response, true, page, callback);
 *         return true;
 *     }
 * }));
 * }
 *
 * <h2>What it does, per request</h2>
 * <ul>
 *   <li>The token is a child of the parent given at construction (a server-wide token, so a shutdown
 *       reaches every request), with the header's deadline if there is one.</li>
 *   <li>The wrapped handler's {@code handle} runs bound to the token ({@link CancellationToken#call}):
 *       {@link org.cancelkit.Cancellation#current()} is the token, and its blocking calls are
 *       interrupted when it is cancelled. Code that completes the callback later, on another thread,
 *       finds the token, read-only, with {@link #token(Request)}.</li>
 *   <li>When Jetty reports a failure of the request to its failure listeners, the token is cancelled
 *       with a reason that says so: the client went away.</li>
 *   <li>When the request completes (the callback succeeded or failed), the token is closed.</li>
 *   <li>A malformed header is answered 400 with a message that says what was wrong; a deadline that
 *       had already passed on arrival ({@code 0}) is answered 504 without calling the handler; a
 *       handler stopped by the deadline is answered 504 if nothing was committed yet.</li>
 * </ul>
 *
 * <h2>When Jetty sees the client go away (Jetty 12.1, checked in the tests)</h2>
 * <ul>
 *   <li>HTTP/2 (also cleartext, {@code HTTP2CServerConnectionFactory}): a client that cancels resets its
 *       stream, and Jetty reports it at once to a handler that has not committed its response: the
 *       token is cancelled while the handler still works.</li>
 *   <li>HTTP/1.1: Jetty does not watch the connection while a handler runs without reading or
 *       writing, so a closed connection is noticed only at the handler's next write (which fails). The
 *       propagated deadline is then what stops the handler: send one.</li>
 *   <li>Once the response is committed, a reset reaches the handler as a failed write, not through
 *       the token.</li>
 * </ul>
 *
 * <p>Thread-safe, as Jetty requires of handlers.
 */
public final class DeadlineHandler extends Handler.Wrapper {
    private static final String ATTRIBUTE = DeadlineHandler.class.getName() + ".token";

    private final CancellationToken parent;

    /**
     * Wraps a handler; each request's token is a new root.
     *
     * @param handler the handler to run bound to each request's token
     */
    public DeadlineHandler(Handler handler) {
        this(CancellationToken.never(), handler);
    }

    /**
     * Wraps a handler; each request's token is a child of {@code parent}.
     *
     * @param parent the server's token: cancelling it (through its source, which the caller keeps)
     *     cancels every request; this handler only makes children of it
     * @param handler the handler to run bound to each request's token
     */
    public DeadlineHandler(CancellationToken parent, Handler handler) {
        super(Objects.requireNonNull(handler, "handler"));
        this.parent = Objects.requireNonNull(parent, "parent");
    }

    /**
     * Returns the token of a request that went through a {@code DeadlineHandler}, read-only: the
     * handler cancels it when the client goes away and closes it when the request completes.
     *
     * @param request the request
     * @return its token, or empty when no {@code DeadlineHandler} handled it
     */
    public static Optional<CancellationToken> token(Request request) {
        return request.getAttribute(ATTRIBUTE) instanceof CancellationToken t ? Optional.of(t) : Optional.empty();
    }

    private static boolean deadlinePassed(CancellationToken token) {
        return token.reason().map(r -> r.kind() == CancelReason.Kind.DEADLINE).orElse(false);
    }

    /**
     * The wrapped handler's callback: closes the token when the request completes, and turns a failure
     * caused by the propagated deadline into a 504 while nothing is committed.
     */
    private static final class Completion implements Callback {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final CancellationSource token;

        Completion(Request request, Response response, Callback callback, CancellationSource token) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.token = token;
        }

        @Override
        public void succeeded() {
            token.close();
            callback.succeeded();
        }

        @Override
        public void failed(Throwable failure) {
            boolean answer504 = deadlinePassed(token) && !response.isCommitted();
            token.close();
            if (answer504) {
                Response.writeError(request, response, callback, 504,
                        "the deadline the caller sent in " + DeadlineHeader.NAME + " passed while handling the request");
            } else {
                callback.failed(failure);
            }
        }

        @Override
        public InvocationType getInvocationType() {
            return callback.getInvocationType();
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Optional<Duration> budget;
        try {
            budget = DeadlineHeader.parse(request.getHeaders().get(DeadlineHeader.NAME));
        } catch (IllegalArgumentException e) {
            Response.writeError(request, response, callback, 400, e.getMessage());
            return true;
        }
        if (budget.isPresent() && budget.get().isZero()) {
            Response.writeError(request, response, callback, 504,
                    "the caller's deadline (" + DeadlineHeader.NAME + ": 0) had passed when the request arrived");
            return true;
        }
        // A child of never() is a new root. This handler owns the source; everyone else sees a view.
        CancellationSource token = budget.map(parent::child).orElseGet(parent::child);
        request.setAttribute(ATTRIBUTE, token.token());
        request.addFailureListener(failure -> token.cancel(
                CancelReason.requested("the client went away or the request failed: " + failure)));
        Callback closing = new Completion(request, response, callback, token);
        boolean handled;
        try {
            handled = token.call(() -> super.handle(request, response, closing));
        } catch (CancelledException e) {
            if (deadlinePassed(token) && !response.isCommitted()) {
                closing.failed(e); // answered 504 by Completion
                return true;
            }
            token.close();
            throw e;
        } catch (Exception | Error e) {
            token.close();
            throw e;
        }
        if (!handled) {
            token.close();
        }
        return handled;
    }
}
