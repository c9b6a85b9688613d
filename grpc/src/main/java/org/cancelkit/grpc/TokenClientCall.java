package org.cancelkit.grpc;

import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.Registration;
import org.jspecify.annotations.Nullable;

/**
 * One client call that follows its caller's token (G5).
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>The call is cancelled only through its own {@link #context} (thread-safe in grpc-java), never
 *       through {@link ClientCall#cancel}, which may not race the caller's own use of the call.</li>
 *   <li>A token cancelled before {@code start} cancels the call at once; one cancelled later cancels it
 *       when the cancellation is hard ({@link CancellationToken#onHardCancel}, C8): a soft cancel's
 *       grace holds no thread per call, only the registration.</li>
 *   <li>When the call closes, the registration is closed and the context let go of, exactly once
 *       (grpc-java calls {@code onClose} once); a hard cancel racing the close cancels a context that
 *       is already done, which changes nothing.</li>
 * </ol>
 *
 * <p>Fields: {@link #registration} is written by the thread that starts the call, {@link #done} by the
 * one that closes it; each reads the other's (volatile: whichever comes second closes the
 * registration, and closing it twice is harmless); the rest are final.
 */
final class TokenClientCall<ReqT, RespT> extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {
    private static final long HOLD_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final CancellationToken token;
    private final Context.CancellableContext context;
    private final boolean tokenBinds;
    private final Duration attributionWindow;
    private volatile @Nullable Registration registration;
    private volatile boolean done;

    TokenClientCall(ClientCall<ReqT, RespT> call, CancellationToken token, Context.CancellableContext context,
                    boolean tokenBinds, Duration attributionWindow) {
        super(call);
        this.token = token;
        this.context = context;
        this.tokenBinds = tokenBinds;
        this.attributionWindow = attributionWindow;
    }

    @Override
    public void start(Listener<RespT> listener, Metadata headers) {
        super.start(new Closing(listener), headers);
        if (token.isCancelled()) {
            cancelCall(); // invariant 2: a cancellation point
            return;
        }
        // Invariant 2: the callback runs on the thread that makes the cancel hard (the canceller, or
        // cancelkit's timer when a grace or a deadline passes); cancelling the context is short and
        // non-blocking, as onHardCancel asks.
        Registration r = token.onHardCancel(this::cancelCall);
        registration = r;
        if (done) {
            r.close(); // invariant 3: the call closed before the registration was published
        }
    }

    private void cancelCall() {
        CancelReason reason = token.reason().orElseThrow();
        context.cancel(Status.CANCELLED.withDescription("the caller's token was cancelled: " + reason)
                .withCause(new CancelledException(reason)).asRuntimeException());
    }

    /** Closes the registration (invariant 3); may hold a deadline the caller's own explains. */
    private final class Closing extends ForwardingClientCallListener.SimpleForwardingClientCallListener<RespT> {
        Closing(Listener<RespT> delegate) {
            super(delegate);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            done = true;
            Registration r = registration;
            if (r != null) {
                r.close();
            }
            context.cancel(null);
            super.onClose(attribute(status), trailers);
        }
    }

    /**
     * A {@code DEADLINE_EXCEEDED} that the caller's own deadline explains waits for the token's
     * deadline to pass and carries the token's cancellation as its cause (G5).
     */
    private Status attribute(Status status) {
        if (status.getCode() != Status.Code.DEADLINE_EXCEEDED || !tokenBinds) {
            return status;
        }
        if (!token.isCancelled()) {
            Optional<Duration> left = token.remaining();
            if (left.isEmpty() || left.get().compareTo(attributionWindow) > 0) {
                return status; // not the caller's deadline: someone's shorter one
            }
            awaitCancelled(left.get());
        }
        Optional<CancelReason> reason = token.reason();
        if (reason.isEmpty()) {
            return status;
        }
        return status.withCause(new CancelledException(reason.get(), status.getCause()));
    }

    private void awaitCancelled(Duration left) {
        CountDownLatch cancelled = new CountDownLatch(1);
        Registration r = token.onCancel(cancelled::countDown);
        try {
            cancelled.await(left.toNanos() + HOLD_SLACK_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            // The token's cancellation interrupted this bound thread (or someone else did): either way
            // the status goes on at once, and the caller's region sees the flag (restored).
            Thread.currentThread().interrupt();
        } finally {
            r.close();
        }
    }
}
