package org.cancelkit.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.junit.jupiter.api.Test;

/**
 * G1, G2, G3 on the server: each call's handler runs on a virtual thread bound to its own read-only
 * token, whose deadline is the caller's less the transit allowance, capped by the server's maximum;
 * the status of a call the token stopped says why; bad deadline headers are answered clearly.
 */
@SuppressWarnings("try") // a server held open for the block by try-with-resources, closed (drained) at its end
class ServerTokenTest {
    private static final GrpcServerOptions OPTIONS = GrpcServerOptions.defaults().withMaxDeadline(Duration.ofSeconds(20));

    private static String unary(ManagedChannel channel, CallOptions options) {
        return ClientCalls.blockingUnaryCall(channel, Echo.UNARY, options, "hello");
    }

    @Test
    void g1_aUnaryHandlerRunsOnAVirtualThreadBoundToItsOwnReadOnlyToken() throws Exception {
        Probe probe = new Probe();
        String name = Loopback.inProcessName();
        try (GrpcServer server = Loopback.inProcess(name, Echo.unary(r -> probe.around(x -> "echo " + x, r)), OPTIONS)) {
            ManagedChannel channel = Loopback.inProcessChannel(name);
            assertThat(unary(channel, CallOptions.DEFAULT)).isEqualTo("echo hello");
            Loopback.close(channel);
            CancellationToken token = probe.token();
            assertThat(token).isNotEqualTo(CancellationToken.never());
            assertThat(token).isNotInstanceOf(CancellationSource.class); // a handler may observe, not cancel
            assertThat(probe.thread().isVirtual()).isTrue();
            // grpc-java ends the call (onComplete) on a thread of its own, which may follow the client's reply.
            assertThat(server.awaitIdle(Duration.ofSeconds(10))).as("the call ended").isTrue();
            assertThat(token.reason()).as("closed when the call ended").map(CancelReason::kind).contains(CancelReason.Kind.CLOSED);
            assertThat(server.token().isCancelled()).as("closing a call's token never cancels the server's").isFalse();
        }
    }

    @Test
    void g1_aStreamingHandlerToo_andEachCallHasItsOwnToken() throws Exception {
        Probe first = new Probe();
        Probe second = new Probe();
        String name = Loopback.inProcessName();
        try (GrpcServer ignored = Loopback.inProcess(name, Echo.streaming((request, out) -> {
            Probe p = request.equals("first") ? first : second;
            p.enter();
            out.onNext(request);
            p.exit(null);
        }), OPTIONS)) {
            ManagedChannel channel = Loopback.inProcessChannel(name);
            Iterator<String> a = ClientCalls.blockingServerStreamingCall(channel, Echo.STREAM, CallOptions.DEFAULT, "first");
            Iterator<String> b = ClientCalls.blockingServerStreamingCall(channel, Echo.STREAM, CallOptions.DEFAULT, "second");
            assertThat(a).toIterable().containsExactly("first");
            assertThat(b).toIterable().containsExactly("second");
            Loopback.close(channel);
            assertThat(first.token()).isNotEqualTo(CancellationToken.never()).isNotEqualTo(second.token());
            assertThat(first.thread().isVirtual()).isTrue();
        }
    }

    @Test
    void g2_theCallersDeadlineLessTheTransitAllowanceIsAdopted() throws Exception {
        Probe probe = new Probe();
        String name = Loopback.inProcessName();
        GrpcServerOptions options = OPTIONS.withTransitAllowance(Duration.ofMillis(500));
        try (GrpcServer ignored = Loopback.inProcess(name, Echo.unary(r -> probe.around(x -> x, r)), options)) {
            ManagedChannel channel = Loopback.inProcessChannel(name);
            unary(channel, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS));
            Loopback.close(channel);
            assertThat(probe.remaining).get().satisfies(left ->
                    assertThat(left).isLessThanOrEqualTo(Duration.ofMillis(4500)).isGreaterThan(Duration.ofSeconds(3)));
        }
    }

    @Test
    void g2_aMissingDeadlineGetsTheServerMaximum_andTheStatusSaysSo() throws Exception {
        Probe probe = new Probe();
        String name = Loopback.inProcessName();
        GrpcServerOptions options = OPTIONS.withMaxDeadline(Duration.ofMillis(100));
        try (GrpcServer ignored = Loopback.inProcess(name, Echo.unary(r -> probe.around(x -> {
            Thread.sleep(60_000); // stopped by the server's maximum
            return x;
        }, r)), options)) {
            ManagedChannel channel = Loopback.inProcessChannel(name);
            assertThatThrownBy(() -> unary(channel, CallOptions.DEFAULT))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                        assertThat(e.getStatus().getDescription())
                                .isEqualTo("deadline passed: the server's maximum of 100 ms (the caller sent no deadline)");
                    });
            Loopback.close(channel);
            Probe.await(probe.unwound, "the handler unwound");
            assertThat(probe.reasonAtEnd).isNotNull().extracting(CancelReason::kind).isEqualTo(CancelReason.Kind.DEADLINE);
        }
    }

    @Test
    void g2_aHugeGrpcTimeoutIsCappedByTheServerMaximum() throws Exception {
        Probe probe = new Probe();
        GrpcServerOptions options = OPTIONS.withMaxDeadline(Duration.ofMillis(100));
        try (GrpcServer server = Loopback.netty(Echo.unary(r -> probe.around(x -> {
            Thread.sleep(60_000);
            return x;
        }, r)), options)) {
            ManagedChannel channel = Loopback.channel(server.port(), new RawHeaders("grpc-timeout", "99999999H"));
            assertThatThrownBy(() -> unary(channel, CallOptions.DEFAULT))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                        assertThat(e.getStatus().getDescription())
                                .startsWith("deadline passed: the server's maximum of 100 ms (the caller asked for grpc-timeout ");
                    });
            Loopback.close(channel);
            assertThat(probe.remaining).get().satisfies(left -> assertThat(left).isLessThanOrEqualTo(Duration.ofMillis(100)));
        }
    }

    @Test
    void g2_aShorterEnvoyTimeoutWins() throws Exception {
        Probe probe = new Probe();
        try (GrpcServer server = Loopback.netty(Echo.unary(r -> probe.around(x -> x, r)), OPTIONS)) {
            ManagedChannel channel = Loopback.channel(server.port(),
                    new RawHeaders(CancellationServerInterceptor.ENVOY_TIMEOUT_HEADER, "3000"));
            unary(channel, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
            Loopback.close(channel);
            assertThat(probe.remaining).get().satisfies(left ->
                    assertThat(left).isLessThanOrEqualTo(Duration.ofMillis(2999)).isGreaterThan(Duration.ofSeconds(2)));
        }
    }

    @Test
    void badInput_aMalformedEnvoyHeaderIsRefusedWithoutRunningTheHandler() throws Exception {
        Probe probe = new Probe();
        try (GrpcServer server = Loopback.netty(Echo.unary(r -> probe.around(x -> x, r)), OPTIONS)) {
            ManagedChannel channel = Loopback.channel(server.port(),
                    new RawHeaders(CancellationServerInterceptor.ENVOY_TIMEOUT_HEADER, "soon"));
            assertThatThrownBy(() -> unary(channel, CallOptions.DEFAULT))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).isEqualTo(
                                "x-envoy-expected-rq-timeout-ms must be a whole number of milliseconds (e.g. \"250\"), got \"soon\"");
                    });
            Loopback.close(channel);
            assertThat(probe.entered.getCount()).as("the handler never ran").isEqualTo(1);
        }
    }

    @Test
    void badInput_aMalformedGrpcTimeoutNeverReachesTheHandler() throws Exception {
        Probe probe = new Probe();
        try (GrpcServer server = Loopback.netty(Echo.unary(r -> probe.around(x -> x, r)), OPTIONS)) {
            ManagedChannel channel = Loopback.channel(server.port(), new RawHeaders("grpc-timeout", "soon"));
            assertThatThrownBy(() -> unary(channel, CallOptions.DEFAULT))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.OK));
            Loopback.close(channel);
            assertThat(probe.entered.getCount()).as("the handler never ran").isEqualTo(1);
            assertThat(server.inFlight()).isZero();
        }
    }

    @Test
    void badInput_aDeadlineThatHadPassedOnArrivalIsAnsweredWithoutRunningTheHandler() throws Exception {
        Probe probe = new Probe();
        try (GrpcServer server = Loopback.netty(Echo.unary(r -> probe.around(x -> x, r)), OPTIONS)) {
            ManagedChannel channel = Loopback.channel(server.port(), new RawHeaders("grpc-timeout", "1n"));
            assertThatThrownBy(() -> unary(channel, CallOptions.DEFAULT))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                        assertThat(e.getStatus().getDescription())
                                .startsWith("the caller's deadline had passed when the call arrived (");
                    });
            Loopback.close(channel);
            assertThat(probe.entered.getCount()).as("the handler never ran").isEqualTo(1);
        }
    }

    /** Control for G3: a handler's own failure keeps grpc-java's status; only a cancellation is translated. */
    @Test
    void g3_aHandlersOwnFailureIsNotTranslated() throws Exception {
        String name = Loopback.inProcessName();
        try (GrpcServer ignored = Loopback.inProcess(name, Echo.unary(r -> {
            throw new IllegalStateException("the handler's own bug");
        }), OPTIONS)) {
            ManagedChannel channel = Loopback.inProcessChannel(name);
            assertThatThrownBy(() -> unary(channel, CallOptions.DEFAULT))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));
            Loopback.close(channel);
        }
    }

    @Test
    void badInput_optionsSayWhatIsWrong() {
        assertThatThrownBy(() -> GrpcServerOptions.defaults().withMaxDeadline(Duration.ZERO))
                .hasMessageContaining("maxDeadline must be positive");
        assertThatThrownBy(() -> GrpcServerOptions.defaults().withTransitAllowance(Duration.ofMillis(-1)))
                .hasMessageContaining("transitAllowance must not be negative");
        assertThatThrownBy(() -> new GrpcServerOptions(Duration.ofMillis(5), Duration.ofMillis(5)))
                .hasMessageContaining("must be below maxDeadline");
    }
}
