package org.cancelkit.grpc;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Objects;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ServerInterceptor} under which every call's handler runs bound to the call's own
 * {@link CancellationToken} (G1, G2): {@link org.cancelkit.Cancellation#current()} in the handler is
 * that token, unary and streaming alike, and a handler blocked at a cancellation point stops when it
 * is cancelled.
 *
 * {@snippet :
 * CancellationSource server = CancellationSource.create();
 * Server s = NettyServerBuilder.forPort(8080)
 *         .executor(Executors.newVirtualThreadPerTaskExecutor())   // a blocked handler costs no platform thread
 *         .addService(ServerInterceptors.intercept(service,
 *                 new CancellationServerInterceptor(server.token(), GrpcServerOptions.defaults())))
 *         .build().start();
 * }
 * {@link GrpcServer} does this for you, and adds a graceful drain.
 *
 * <h2>A call's token</h2>
 * <ul>
 *   <li>It is a child of the server-wide token given at construction: cancelling that one (softly,
 *       with a grace, for a drain) reaches every call.</li>
 *   <li>Its deadline is the caller's ({@code grpc-timeout}, and Envoy's
 *       {@value #ENVOY_TIMEOUT_HEADER} when present) less the transit allowance, capped by the server's
 *       maximum; a call with no deadline gets the maximum ({@link GrpcServerOptions}).</li>
 *   <li>It is cancelled with the reason "client cancelled" as soon as grpc-java reports the client's
 *       cancel (or "client went away: ..." for a broken connection), while the handler still runs:
 *       grpc-java tells the call's {@link Context} at once, on a thread of its own.</li>
 *   <li>Every listener callback (and {@code startCall}, where streaming-request handlers begin) runs
 *       bound to it ({@link CancellationToken#run}); {@code onCancel} and {@code onComplete}, which
 *       end the call, run unbound so that cleanup there is not interrupted.</li>
 *   <li>It is closed when the call ends.</li>
 * </ul>
 *
 * <h2>The status says why</h2>
 * When a handler ends because its token was cancelled (it threw {@link org.cancelkit.CancelledException},
 * an {@link InterruptedException}, or anything caused by one), the call is closed with
 * {@code DEADLINE_EXCEEDED} for the deadline, {@code UNAVAILABLE} for a drain and {@code CANCELLED}
 * otherwise, with the reason in the description (e.g. "deadline passed: grpc-timeout 150 ms less 1
 * ms transit allowance"). A handler that closes the call itself with a status caused by the
 * cancellation gets the same translation. A call whose deadline had already passed when it arrived
 * is answered {@code DEADLINE_EXCEEDED} without running the handler; a malformed Envoy header is
 * answered {@code INVALID_ARGUMENT}, saying what was wrong. A malformed {@code grpc-timeout} never
 * reaches an interceptor: grpc-java resets the stream while parsing the headers.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>The server's executor decides where handlers run: give it virtual threads (a handler blocked
 *       for its whole deadline then costs no platform thread), never {@code directExecutor()} (a
 *       blocked handler would hold a transport thread).</li>
 *   <li>Work a handler hands to another thread is not bound to the token: bind it
 *       ({@code Cancellation.current().run(...)} or a task group).</li>
 *   <li>A handler that ignores interrupts and never checks cannot be stopped; the token only tells it
 *       to stop.</li>
 * </ul>
 *
 * <p>Thread-safe; one instance serves every call of a server.
 */
public final class CancellationServerInterceptor implements ServerInterceptor {
    /** Envoy's request header with the time Envoy gives the request, in milliseconds: {@value}. */
    public static final String ENVOY_TIMEOUT_HEADER = "x-envoy-expected-rq-timeout-ms";

    private final CancellationToken server;
    private final GrpcServerOptions options;
    private final @Nullable CallLedger ledger;

    /**
     * Creates the interceptor.
     *
     * @param server the server-wide token: every call's token is its child
     * @param options the maximum and the transit allowance
     */
    public CancellationServerInterceptor(CancellationToken server, GrpcServerOptions options) {
        this(server, options, null);
    }

    CancellationServerInterceptor(CancellationToken server, GrpcServerOptions options, @Nullable CallLedger ledger) {
        this.server = Objects.requireNonNull(server, "server");
        this.options = Objects.requireNonNull(options, "options");
        this.ledger = ledger;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        CallLedger.Entry entry = ledger == null ? null : ledger.started(call.getMethodDescriptor().getFullMethodName());
        CallDeadline deadline;
        try {
            deadline = CallDeadline.of(Context.current().getDeadline(), headers, options);
        } catch (IllegalArgumentException e) {
            return refuse(call, Status.INVALID_ARGUMENT.withDescription(e.getMessage()), entry, CallOutcome.Kind.FAILED);
        }
        if (deadline.budget().isZero()) {
            return refuse(call, Status.DEADLINE_EXCEEDED.withDescription(
                    "the caller's deadline had passed when the call arrived (" + deadline.origin() + ")"), entry,
                    CallOutcome.Kind.FAILED);
        }
        if (server.isCancelled()) {
            CancelReason reason = server.reason().orElseThrow();
            return refuse(call, Statuses.of(reason, deadline), entry,
                    reason.kind() == CancelReason.Kind.SHUTDOWN ? CallOutcome.Kind.REFUSED : CallOutcome.Kind.FAILED);
        }
        CancellationSource token = server.child(deadline.budget());
        BoundServerCall<ReqT, RespT> bound = new BoundServerCall<>(call, token, deadline, entry);
        return bound.start(next, headers, Context.current());
    }

    private static <ReqT, RespT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, RespT> call, Status status,
                                                                  CallLedger.@Nullable Entry entry,
                                                                  CallOutcome.Kind kind) {
        call.close(status, new Metadata());
        if (entry != null) {
            entry.ended(status, kind);
        }
        return new ServerCall.Listener<>() {};
    }

    /** Why a call's context was cancelled, as a reason for its token; null for a normal end or a deadline. */
    static @Nullable CancelReason clientReason(Context context) {
        Throwable cause = context.cancellationCause();
        if (cause == null) {
            return null; // grpc-java cancels the context with no cause after a normal end
        }
        Status status = Status.fromThrowable(cause);
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return null; // the token's own deadline is no later (G2) and says it better
        }
        if (status.getCode() == Status.Code.CANCELLED) {
            return CancelReason.requested("client cancelled");
        }
        return CancelReason.requested("client went away: " + status.getCode()
                + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")"));
    }
}
