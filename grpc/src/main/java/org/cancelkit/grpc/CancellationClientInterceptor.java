package org.cancelkit.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ClientInterceptor} that makes every call follow the token it is made under,
 * {@link Cancellation#current()} (G5): blocking, future and streaming stubs alike.
 *
 * {@snippet :
 * ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", 8080).usePlaintext()
 *         .intercept(CancellationClientInterceptor.create())
 *         .build();
 * GreeterBlockingStub greeter = GreeterGrpc.newBlockingStub(channel);
 *
 * // The call gets the timeout's deadline (sent as grpc-timeout), and the caller sees
 * // DeadlineExceededException when it passes, wherever along the chain it was noticed.
 * Reply r = Timeout.call(Duration.ofMillis(300), () -> greeter.hello(request));
 * }
 *
 * <h2>What it does, per call</h2>
 * <ul>
 *   <li>Deadline: the earlier of the call's own ({@code withDeadlineAfter}, grpc-java's context) and
 *       the token's; grpc-java sends it as {@code grpc-timeout}, and a {@link CancellationServerInterceptor}
 *       downstream adopts it.</li>
 *   <li>Cancellation: a call started under a cancelled token (softly or hard) is cancelled at once, as
 *       a cancellation point. A call in flight is cancelled when its token's cancellation is hard: at
 *       once for a cancel or a deadline, when the grace has passed for a soft cancel (C8), so that a
 *       draining server's handlers may finish their downstream calls within their grace. The status is
 *       {@code CANCELLED}, its description names the reason and its cause is the
 *       {@link org.cancelkit.CancelledException}, so a bound caller sees its cancellation.</li>
 *   <li>Blocking stubs: on a thread bound to the token a blocking call is a cancellation point: the
 *       hard cancel interrupts it, grpc-java cancels the call, and the caller's region throws
 *       {@link org.cancelkit.CancelledException} (or {@link org.cancelkit.DeadlineExceededException}
 *       from {@link org.cancelkit.Timeout}).</li>
 *   <li>A {@code DEADLINE_EXCEEDED} that the caller's own deadline explains (the token's deadline was
 *       the call's, and it passes within {@code attributionWindow} of the status arriving) is held
 *       until the token's deadline has passed, and delivered with the token's cancellation as its
 *       cause: the caller's {@code Timeout} then throws its {@code DeadlineExceededException}, not a
 *       failure of the call. Any other {@code DEADLINE_EXCEEDED} (a server's own shorter maximum, a
 *       stub's own shorter deadline) is the call's failure, unchanged.</li>
 * </ul>
 * A call made outside any bound code ({@link CancellationToken#never()}) passes through untouched.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Holding a {@code DEADLINE_EXCEEDED} blocks the thread that delivers it (the caller's, for a
 *       blocking stub; the channel's executor otherwise) for at most {@code attributionWindow} plus
 *       the timer's lateness.</li>
 *   <li>On a {@code VirtualClock} the token's deadline is virtual, the call's is real:
 *       advance the clock, or give the call a real deadline of its own.</li>
 * </ul>
 *
 * <p>Thread-safe; one instance serves every call of a channel.
 */
public final class CancellationClientInterceptor implements ClientInterceptor {
    /** The default attribution window: 20 ms, ten hops of a 2 ms transit allowance. */
    public static final Duration DEFAULT_ATTRIBUTION_WINDOW = Duration.ofMillis(20);

    private final Duration attributionWindow;

    private CancellationClientInterceptor(Duration attributionWindow) {
        this.attributionWindow = attributionWindow;
    }

    /**
     * Returns an interceptor with the {@linkplain #DEFAULT_ATTRIBUTION_WINDOW default attribution window}.
     *
     * @return the interceptor
     */
    public static CancellationClientInterceptor create() {
        return new CancellationClientInterceptor(DEFAULT_ATTRIBUTION_WINDOW);
    }

    /**
     * Returns an interceptor that takes a {@code DEADLINE_EXCEEDED} for the caller's own when it
     * arrives within {@code attributionWindow} of the caller's deadline: at least the sum of the
     * transit allowances along the chain of servers.
     *
     * @param attributionWindow zero or positive
     * @return the interceptor
     */
    public static CancellationClientInterceptor create(Duration attributionWindow) {
        Objects.requireNonNull(attributionWindow, "attributionWindow");
        if (attributionWindow.isNegative()) {
            throw new IllegalArgumentException("attributionWindow must not be negative, got " + attributionWindow
                    + "; use Duration.ZERO to take only a DEADLINE_EXCEEDED after the caller's deadline for its own");
        }
        return new CancellationClientInterceptor(attributionWindow);
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
                                                               CallOptions callOptions, Channel next) {
        CancellationToken token = Cancellation.current();
        if (token.equals(CancellationToken.never())) {
            return next.newCall(method, callOptions);
        }
        Deadline tokenDeadline = token.remaining().map(CancellationClientInterceptor::after).orElse(null);
        Deadline callDeadline = earlier(callOptions.getDeadline(), Context.current().getDeadline());
        boolean tokenBinds = tokenDeadline != null && (callDeadline == null || !callDeadline.isBefore(tokenDeadline));
        CallOptions options = tokenBinds ? callOptions.withDeadline(tokenDeadline) : callOptions;
        // The call's own cancellable context: grpc-java cancels the call's stream when it is cancelled,
        // from any thread (ClientCall.cancel may not be called concurrently with the caller's use).
        Context.CancellableContext context = Context.current().withCancellation();
        Context previous = context.attach();
        ClientCall<ReqT, RespT> call;
        try {
            call = next.newCall(method, options);
        } finally {
            context.detach(previous);
        }
        return new TokenClientCall<>(call, token, context, tokenBinds, attributionWindow);
    }

    private static Deadline after(Duration remaining) {
        long nanos;
        try {
            nanos = remaining.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE;
        }
        return Deadline.after(nanos, TimeUnit.NANOSECONDS);
    }

    private static @Nullable Deadline earlier(@Nullable Deadline a, @Nullable Deadline b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a.minimum(b);
    }
}
