package org.cancelkit.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * G5 against a real loopback server: a call made under a token carries its deadline, is cancelled with
 * it (blocking, future and streaming stubs), waits for the hard cancel of a soft one, and a
 * DEADLINE_EXCEEDED the caller's own deadline explains surfaces as the caller's DeadlineExceededException.
 */
class ClientTokenTest {
    private final Probe probe = new Probe();
    private final CountDownLatch release = new CountDownLatch(1);
    private GrpcServer server;
    private ManagedChannel channel;

    private void start(GrpcServerOptions options, ClientInterceptor... interceptors) throws Exception {
        server = Loopback.netty(Echo.service(request -> probe.around(r -> {
            if (!release.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("never released");
            }
            return "done";
        }, request), (request, out) -> {
            probe.enter();
            try {
                out.onNext("first");
                Thread.sleep(60_000);
                probe.exit(null);
            } catch (Exception e) {
                probe.exit(e);
                throw e;
            }
        }), options);
        channel = Loopback.channel(server.port(), interceptors);
    }

    private void start() throws Exception {
        start(GrpcServerOptions.defaults(), CancellationClientInterceptor.create());
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        if (channel != null) {
            Loopback.close(channel);
        }
        if (server != null) {
            server.close();
        }
    }

    private String blocking() {
        return ClientCalls.blockingUnaryCall(channel, Echo.UNARY, CallOptions.DEFAULT, "hello");
    }

    private void assertTheHandlerWasCancelledByItsClient() throws InterruptedException {
        Probe.await(probe.unwound, "the handler unwound");
        assertThat(probe.reasonAtEnd).isNotNull().extracting(CancelReason::message).isEqualTo("client cancelled");
    }

    @Test
    void g5_aBlockingCallUnderATimeoutCarriesItsDeadline_andTheCallerSeesDeadlineExceeded() throws Exception {
        start();
        assertThatThrownBy(() -> Timeout.call(Duration.ofMillis(300), this::blocking))
                .isInstanceOf(DeadlineExceededException.class);
        assertThat(probe.remaining).get().satisfies(left -> assertThat(left).isLessThanOrEqualTo(Duration.ofMillis(300)));
        Probe.await(probe.unwound, "the handler unwound");
    }

    @Test
    void g5_aServersDeadlineExceededThatTheCallersDeadlineExplains_isTheCallersDeadlineExceeded() throws Exception {
        // The server takes 200 ms off for transit, so its DEADLINE_EXCEEDED arrives ~200 ms before the
        // caller's own deadline has passed.
        start(GrpcServerOptions.defaults().withTransitAllowance(Duration.ofMillis(200)),
                CancellationClientInterceptor.create(Duration.ofMillis(300)));
        assertThatThrownBy(() -> Timeout.call(Duration.ofMillis(400), this::blocking))
                .isInstanceOf(DeadlineExceededException.class)
                .hasCauseInstanceOf(StatusRuntimeException.class);
    }

    /** Negative control: without the attribution window the same status escapes as the call's own failure. */
    @Test
    void negativeControl_withoutAttribution_theServersDeadlineExceededIsTheCallsFailure() throws Exception {
        start(GrpcServerOptions.defaults().withTransitAllowance(Duration.ofMillis(200)),
                CancellationClientInterceptor.create(Duration.ZERO));
        assertThatThrownBy(() -> Timeout.call(Duration.ofMillis(400), this::blocking))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    }

    @Test
    void g5_cancellingTheTokenCancelsABlockingCall_andTheCallerSeesItsReason() throws Exception {
        start();
        CancellationSource caller = CancellationSource.create();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                caller.call(this::blocking);
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        Probe.await(probe.entered, "the handler started");
        caller.cancel("the user gave up");
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(CancelledException.class,
                e -> assertThat(e.reason().message()).isEqualTo("the user gave up"));
        assertTheHandlerWasCancelledByItsClient();
    }

    @Test
    void g5_cancellingTheTokenCancelsAFutureCall_withTheReasonInTheStatus() throws Exception {
        start();
        CancellationSource caller = CancellationSource.create();
        ListenableFuture<String> reply = caller.call(() ->
                ClientCalls.futureUnaryCall(channel.newCall(Echo.UNARY, CallOptions.DEFAULT), "hello"));
        Probe.await(probe.entered, "the handler started");
        caller.cancel("the user gave up");
        assertThatThrownBy(() -> reply.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
                    assertThat(e.getStatus().getDescription()).contains("the user gave up");
                    assertThat(e).hasRootCauseInstanceOf(CancelledException.class);
                });
        assertTheHandlerWasCancelledByItsClient();
    }

    /** Negative control: without the interceptor, cancelling the token leaves the future call and its handler running. */
    @Test
    void negativeControl_withoutTheInterceptor_theFutureCallRunsOn() throws Exception {
        start(GrpcServerOptions.defaults());
        CancellationSource caller = CancellationSource.create();
        ListenableFuture<String> reply = caller.call(() ->
                ClientCalls.futureUnaryCall(channel.newCall(Echo.UNARY, CallOptions.DEFAULT), "hello"));
        Probe.await(probe.entered, "the handler started");
        caller.cancel("the user gave up");
        assertThat(probe.unwound.await(500, TimeUnit.MILLISECONDS)).as("the handler runs on").isFalse();
        release.countDown();
        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("done");
    }

    @Test
    void g5_cancellingTheTokenCancelsAStreamingCall() throws Exception {
        start();
        CancellationSource caller = CancellationSource.create();
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        caller.run(() -> ClientCalls.asyncServerStreamingCall(channel.newCall(Echo.STREAM, CallOptions.DEFAULT), "hello",
                new StreamObserver<String>() {
                    @Override
                    public void onNext(String value) {}

                    @Override
                    public void onError(Throwable t) {
                        error.complete(t);
                    }

                    @Override
                    public void onCompleted() {
                        error.complete(null);
                    }
                }));
        Probe.await(probe.entered, "the handler started");
        caller.cancel("the user gave up");
        assertThat(error.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
        assertTheHandlerWasCancelledByItsClient();
    }

    /** C8: a soft cancel interrupts nothing until its grace has passed, so the call in flight may finish. */
    @Test
    void g5_aSoftCancelLetsTheCallInFlightFinish() throws Exception {
        start();
        CancellationSource caller = CancellationSource.create();
        ListenableFuture<String> reply = caller.call(() ->
                ClientCalls.futureUnaryCall(channel.newCall(Echo.UNARY, CallOptions.DEFAULT), "hello"));
        Probe.await(probe.entered, "the handler started");
        caller.cancel(CancelReason.shutdown("draining"), Duration.ofHours(1));
        release.countDown();
        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(probe.reasonAtEnd).as("the server's handler was never cancelled").isNull();
    }

    @Test
    void g5_aSoftCancelTurnsHardAfterItsGrace_andThenCancelsTheCall() throws Exception {
        start();
        CancellationSource caller = CancellationSource.create();
        ListenableFuture<String> reply = caller.call(() ->
                ClientCalls.futureUnaryCall(channel.newCall(Echo.UNARY, CallOptions.DEFAULT), "hello"));
        Probe.await(probe.entered, "the handler started");
        caller.cancel(CancelReason.shutdown("draining"), Duration.ofMillis(100));
        assertThatThrownBy(() -> reply.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(StatusRuntimeException.class);
        assertTheHandlerWasCancelledByItsClient();
    }

    @Test
    void g5_aCallStartedUnderACancelledTokenFailsAtOnce_andNeverReachesTheServer() throws Exception {
        start();
        CancellationSource caller = CancellationSource.create();
        caller.cancel(CancelReason.shutdown("draining"), Duration.ofHours(1)); // even a soft cancel
        assertThatThrownBy(() -> caller.call(this::blocking)).isInstanceOfSatisfying(CancelledException.class,
                e -> assertThat(e.reason().message()).isEqualTo("draining"));
        assertThat(probe.entered.getCount()).isEqualTo(1);
    }
}
