package org.cancelkit.grpc;

import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.io.InterruptedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.jspecify.annotations.Nullable;

/**
 * One server call bound to its token (G1): the listener runs the handler's callbacks bound to the
 * token, the call translates a close caused by the cancellation into the status that says why (G3),
 * and the end of the call closes the token.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>The call is closed at most once through this wrapper: {@link #closed} goes false to true by
 *       CAS, by the handler's close or by {@link #closeCancelled}, whichever comes first.</li>
 *   <li>The token is closed, the context listener removed and the ledger told exactly once, when
 *       grpc-java ends the call ({@code onCancel} or {@code onComplete}), or when {@code startCall}
 *       throws (then grpc-java delivers neither).</li>
 * </ol>
 *
 * <p>Fields: final but {@link #sent} (written by whichever thread closes the call, read by the thread
 * that ends it, after grpc-java's own hand-off between them).
 */
final class BoundServerCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private final CancellationSource token;
    private final CallDeadline deadline;
    private final CallLedger.@Nullable Entry entry;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile @Nullable Status sent;
    private volatile boolean closedByCancellation;
    private @Nullable Context context;
    private final Context.CancellationListener onContextCancelled;

    BoundServerCall(ServerCall<ReqT, RespT> call, CancellationSource token, CallDeadline deadline,
                    CallLedger.@Nullable Entry entry) {
        super(call);
        this.token = token;
        this.deadline = deadline;
        this.entry = entry;
        this.onContextCancelled = c -> {
            CancelReason reason = CancellationServerInterceptor.clientReason(c);
            if (reason != null) {
                token.cancel(reason);
            }
        };
    }

    ServerCall.Listener<ReqT> start(ServerCallHandler<ReqT, RespT> next, Metadata headers, Context callContext) {
        this.context = callContext;
        callContext.addListener(onContextCancelled, Runnable::run);
        ServerCall.Listener<ReqT> delegate;
        try {
            delegate = token.call(() -> next.startCall(this, headers));
        } catch (CancelledException e) {
            closeCancelled(e);
            delegate = new ServerCall.Listener<>() {};
        } catch (RuntimeException | Error e) {
            end(Status.fromThrowable(e)); // invariant 2: grpc-java closes the call and delivers no end
            throw e;
        }
        return new Listener(delegate);
    }

    @Override
    public void close(Status status, Metadata trailers) {
        Status s = translate(status);
        if (!closed.compareAndSet(false, true)) {
            if (sent != null && closedByCancellation) {
                return; // closed for the cancellation already; the handler's late close changes nothing
            }
            throw new IllegalStateException("call already closed");
        }
        sent = s;
        super.close(s, trailers);
    }

    /** Closes the call with the status that says why its token stopped it (G3), unless already closed. */
    private void closeCancelled(Throwable failure) {
        CancelReason reason = token.reason().orElseThrow();
        Status s = Statuses.of(reason, deadline).withCause(failure);
        if (closed.compareAndSet(false, true)) { // invariant 1
            closedByCancellation = true;
            sent = s;
            super.close(s, new Metadata());
        }
    }

    /** A handler's error status caused by its token's cancellation becomes the status that says why. */
    private Status translate(Status status) {
        if (status.isOk() || !token.isCancelled() || !causedByCancellation(status.getCause())) {
            return status;
        }
        return Statuses.of(token.reason().orElseThrow(), deadline).withCause(status.getCause());
    }

    static boolean causedByCancellation(@Nullable Throwable t) {
        for (int i = 0; t != null && i < 16; i++, t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof InterruptedIOException
                    || t instanceof CancellationException || t instanceof DeadlineExceededException) {
                return true;
            }
        }
        return false;
    }

    private void end(Status status) {
        if (!ended.compareAndSet(false, true)) {
            return; // invariant 2
        }
        Context c = context;
        if (c != null) {
            c.removeListener(onContextCancelled);
        }
        token.close();
        if (entry != null) {
            boolean drained = status.getCode() == Status.Code.UNAVAILABLE
                    && token.reason().map(r -> r.kind() == CancelReason.Kind.SHUTDOWN).orElse(false);
            entry.ended(status, status.isOk() ? CallOutcome.Kind.COMPLETED
                    : drained ? CallOutcome.Kind.STOPPED_BY_DRAIN : CallOutcome.Kind.FAILED);
        }
    }

    /** Runs the handler's callbacks bound to the token, and closes the call when the cancellation stopped one. */
    private final class Listener extends ServerCall.Listener<ReqT> {
        private final ServerCall.Listener<ReqT> delegate;

        Listener(ServerCall.Listener<ReqT> delegate) {
            this.delegate = delegate;
        }

        private void bound(Runnable callback) {
            try {
                token.run(callback::run);
            } catch (CancelledException e) {
                if (!token.isCancelled()) {
                    throw e; // another token's cancellation escaping the handler is the handler's failure
                }
                closeCancelled(e);
            }
        }

        @Override
        public void onMessage(ReqT message) {
            bound(() -> delegate.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            bound(delegate::onHalfClose);
        }

        @Override
        public void onReady() {
            bound(delegate::onReady);
        }

        @Override
        public void onCancel() {
            // grpc-java ends a call with onCancel when it did not complete: the client cancelled or went
            // away. Its context listener may not have run yet (it runs on a thread of its own).
            token.cancel(CancelReason.requested("client cancelled"));
            try {
                delegate.onCancel();
            } finally {
                Status s = sent;
                end(s != null ? s : token.reason().map(r -> Statuses.of(r, deadline))
                        .orElse(Status.CANCELLED.withDescription("client cancelled")));
            }
        }

        @Override
        public void onComplete() {
            try {
                delegate.onComplete();
            } finally {
                Status s = sent;
                end(s != null ? s : Status.OK);
            }
        }
    }
}
