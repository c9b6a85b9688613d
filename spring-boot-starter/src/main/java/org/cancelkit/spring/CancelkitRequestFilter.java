package org.cancelkit.spring;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Runs every servlet request bound to its own cancellation token, a child of
 * {@link RequestTokens#root()}: {@link org.cancelkit.Cancellation#current()} is that token in
 * controllers and in the code they call, and a blocking call is interrupted when it is cancelled.
 *
 * <h2>Per request</h2>
 * <ul>
 *   <li>The deadline is the caller's, from the deadline header (whole milliseconds left), capped by
 *       the server maximum ({@code cancelkit.web.max-deadline}); a request without the header gets
 *       the maximum.</li>
 *   <li>A malformed header is answered 400 saying what was wrong; a deadline that had passed on
 *       arrival ({@code 0}) 504, and a request arriving during a shutdown 503, without calling the
 *       controller.</li>
 *   <li>A controller stopped by the deadline is answered 504, by the shutdown 503, if nothing was
 *       committed yet; a committed response is aborted (the exception goes to the container).</li>
 *   <li>Writes to the client run in a shield with their own budget ({@code cancelkit.web.write-budget}):
 *       the container writes through an interruptible channel on the request's thread, and the
 *       interrupts of a cancelled request would otherwise close the connection mid-response.</li>
 *   <li>An asynchronous request (a {@code Callable}, {@code DeferredResult}, {@code StreamingResponseBody})
 *       keeps its token until the container completes it; the container's {@code AsyncListener.onError}
 *       (Tomcat and Jetty call it for a client's HTTP/2 reset) cancels it, with reason
 *       {@link CancelReason.Kind#REQUESTED}: the client went away.</li>
 * </ul>
 *
 * <h2>When the container sees the client go away</h2>
 * See the starter's README, section "Client disconnects": on HTTP/1.1 neither Tomcat nor Jetty watches
 * the connection of a request whose handler neither reads nor writes; a write to a client that went
 * away fails, and that failure cancels the request's token (REQUESTED, "the client went away"), so the
 * request's other work (its forks) stops too. A handler that does not write is stopped by its
 * deadline. On Jetty a client's HTTP/2 reset also reaches a blocking request, through Jetty's own
 * request failure listener ({@code JettyRequestFailures}); on Tomcat it reaches asynchronous requests
 * only.
 *
 * <p>Thread-safe, as the servlet container requires.
 */
public final class CancelkitRequestFilter extends OncePerRequestFilter {
    private static final Log log = LogFactory.getLog(CancelkitRequestFilter.class);

    private final RequestTokens tokens;
    private final Duration maxDeadline;
    private final String header;
    private final Duration writeBudget;
    private final RequestFailures failures;

    /**
     * Creates the filter, told of a client that went away by the servlet API only (a failed write, an
     * asynchronous request's error).
     *
     * @param tokens the server's request tokens
     * @param maxDeadline the server maximum: positive
     * @param header the deadline header's name
     * @param writeBudget how long one write to the client may take in its shield
     */
    public CancelkitRequestFilter(RequestTokens tokens, Duration maxDeadline, String header, Duration writeBudget) {
        this(tokens, maxDeadline, header, writeBudget, RequestFailures.NONE);
    }

    /** Creates the filter, told also what the container reports beyond the servlet API. */
    CancelkitRequestFilter(RequestTokens tokens, Duration maxDeadline, String header, Duration writeBudget,
                           RequestFailures failures) {
        this.failures = Objects.requireNonNull(failures, "failures");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.maxDeadline = Objects.requireNonNull(maxDeadline, "maxDeadline");
        this.header = Objects.requireNonNull(header, "header");
        this.writeBudget = Objects.requireNonNull(writeBudget, "writeBudget");
        if (maxDeadline.isNegative() || maxDeadline.isZero()) {
            throw new IllegalArgumentException("the server maximum must be positive, got " + maxDeadline);
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<Duration> asked;
        try {
            asked = DeadlineHeaderValue.parse(header, request.getHeader(header));
        } catch (IllegalArgumentException e) {
            response.sendError(400, e.getMessage());
            return;
        }
        if (asked.isPresent() && asked.get().isZero()) {
            response.sendError(504, "the caller's deadline (" + header + ": 0) had passed when the request arrived");
            return;
        }
        if (tokens.root().isCancelled()) {
            shuttingDown(response);
            return;
        }
        Duration deadline = asked.filter(d -> d.compareTo(maxDeadline) < 0).orElse(maxDeadline);
        RequestTokens.Opened opened = tokens.open(request.getMethod(), request.getRequestURI(), deadline);
        ShieldedResponse shielded = new ShieldedResponse(response, writeBudget, e -> opened.source.cancel(
                CancelReason.requested("the client went away: a write to it failed: " + e)));
        failures.watch(request, e -> opened.source.cancel(
                CancelReason.requested("the client went away or the request failed (the container reported it): " + e)));
        Completion completion = new Completion(opened);
        HttpServletRequest watched = new AsyncWatched(request, completion);
        boolean async = false;
        try {
            opened.source.run(() -> chain.doFilter(watched, shielded));
            async = request.isAsyncStarted();
        } catch (CancelledException e) {
            answer(response, e);
        } catch (IOException | ServletException | RuntimeException | Error e) {
            if (!outOfTime(e, opened.source) || response.isCommitted()) {
                throw e;
            }
            // The request's own deadline passed and a call inside noticed first (a query timeout set from the
            // deadline fires on the server, a moment before the request's timer): the same answer as the timer's.
            response.sendError(504, "the request's deadline passed while handling it");
        } catch (Exception e) {
            throw new ServletException(e); // doFilter throws nothing else
        } finally {
            if (!async) {
                opened.end(); // idempotent: an asynchronous request that has already completed ended it
            } // else the Completion, added when the cycle started, ends it
        }
    }

    /**
     * Whether {@code failure} is the request running out of time: a {@link DeadlineExceededException} in its
     * causes while the request's own deadline has passed. A controller's inner timeout that expired while the
     * request still had time is the controller's failure, not this.
     */
    static boolean outOfTime(Throwable failure, CancellationToken request) {
        boolean expired = request.reason().map(r -> r.kind() == CancelReason.Kind.DEADLINE)
                .orElseGet(() -> request.remaining().map(left -> !left.isPositive()).orElse(false));
        for (Throwable t = failure; t != null && expired; t = t.getCause()) {
            if (t instanceof DeadlineExceededException) {
                return true;
            }
        }
        return false;
    }

    /** The controller ended because its token was cancelled: answer for the reason, if still possible. */
    private void answer(HttpServletResponse response, CancelledException e) throws ServletException {
        CancelReason.Kind kind = e.reason().kind();
        if (response.isCommitted()) {
            // Part of the response is out: abort it rather than let it look complete.
            throw new ServletException("cancelkit: the request was cancelled (" + e.reason() + ") after its response "
                    + "was committed", e);
        }
        try {
            switch (kind) {
                case DEADLINE -> response.sendError(504, "the request's deadline passed while handling it");
                case SHUTDOWN -> shuttingDown(response);
                default -> log.debug("cancelkit: request cancelled: " + e.reason());
            }
        } catch (IOException | IllegalStateException io) {
            log.debug("cancelkit: could not answer a cancelled request (the client went away?)", io);
        }
    }

    /**
     * Answers 503 here and now, not through the container's error page: the error page would be
     * rendered after this filter has ended the request, and the shutdown, which waits only for the
     * requests it knows, could close the connection before it was written.
     */
    private static void shuttingDown(HttpServletResponse response) throws IOException {
        response.setStatus(503);
        response.setHeader("Connection", "close");
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write("the server is shutting down\n");
        response.flushBuffer();
    }

    /**
     * The request as the rest of the chain sees it: an asynchronous cycle gets the request's
     * {@link Completion} as it starts, before any of its work runs, so that an error the container
     * reports at once (a client's HTTP/2 reset) is not missed while this filter is still returning.
     */
    private static final class AsyncWatched extends HttpServletRequestWrapper {
        private final Completion completion;

        AsyncWatched(HttpServletRequest request, Completion completion) {
            super(request);
            this.completion = completion;
        }

        @Override
        public AsyncContext startAsync() {
            AsyncContext context = super.startAsync();
            context.addListener(completion);
            return context;
        }

        @Override
        public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
            AsyncContext context = super.startAsync(request, response);
            context.addListener(completion);
            return context;
        }
    }

    /** An asynchronous request's end: the container reports its completion, error or timeout. */
    private static final class Completion implements AsyncListener {
        private final RequestTokens.Opened opened;

        Completion(RequestTokens.Opened opened) {
            this.opened = opened;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            opened.end();
        }

        @Override
        public void onError(AsyncEvent event) {
            opened.source.cancel(CancelReason.requested("the client went away or the request failed: "
                    + event.getThrowable()));
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            opened.source.cancel(CancelReason.requested("the container's async timeout passed"));
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this); // a restarted async cycle keeps the listener
        }
    }
}
