package org.cancelkit.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import org.cancelkit.CancelReason;
import org.junit.jupiter.api.Test;

/**
 * G1 against a real grpc-netty-shaded server on loopback: a client that cancels mid-unary or
 * mid-stream cancels the handler's token with the reason "client cancelled", the handler's blocked
 * body unwinds, and its thread ends; the negative controls run the same handlers on plain grpc-java,
 * where they run on after the cancel.
 */
class ClientCancelTest {
    private static final GrpcServerOptions OPTIONS = GrpcServerOptions.defaults();

    /** A handler that blocks where the client's cancel finds it: in a plain interruptible sleep. */
    private static ServerServiceDefinition blocking(Probe probe, CountDownLatch grpcSawCancel) {
        return Echo.service(request -> probe.around(r -> {
            Context.current().addListener(c -> grpcSawCancel.countDown(), Runnable::run);
            Thread.sleep(60_000);
            return r;
        }, request), (request, out) -> {
            probe.enter();
            Context.current().addListener(c -> grpcSawCancel.countDown(), Runnable::run);
            try {
                out.onNext("first");
                Thread.sleep(60_000);
                probe.exit(null);
            } catch (Exception e) {
                probe.exit(e);
                throw e;
            }
        });
    }

    private static Future<String> unaryThenCancel(ManagedChannel channel, Probe probe) throws InterruptedException {
        ClientCall<String, String> call = channel.newCall(Echo.UNARY, CallOptions.DEFAULT);
        Future<String> reply = ClientCalls.futureUnaryCall(call, "hello");
        Probe.await(probe.entered, "the handler started");
        call.cancel("the test cancels mid-unary", null);
        return reply;
    }

    private static void streamThenCancel(ManagedChannel channel, Probe probe) throws InterruptedException {
        ClientCall<String, String> call = channel.newCall(Echo.STREAM, CallOptions.DEFAULT);
        CountDownLatch first = new CountDownLatch(1);
        ClientCalls.asyncServerStreamingCall(call, "hello", new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                first.countDown();
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        Probe.await(first, "the first message of the stream");
        call.cancel("the test cancels mid-stream", null);
    }

    private static void assertUnwoundBecauseTheClientCancelled(Probe probe, GrpcServer server) throws InterruptedException {
        Probe.await(probe.unwound, "the handler's body unwound");
        assertThat(probe.reasonAtEnd).isNotNull().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(CancelReason.Kind.REQUESTED);
            assertThat(r.message()).isEqualTo("client cancelled");
        });
        assertThat(probe.endedWith).as("stopped in its sleep").isNotNull();
        assertThat(probe.thread().join(Duration.ofSeconds(10))).as("no handler thread outlives its call").isTrue();
        // grpc-java ends the call (onCancel) on a thread of its own, which may come after the handler's.
        assertThat(server.awaitIdle(Duration.ofSeconds(10))).as("the call ended").isTrue();
        assertThat(server.inFlight()).isZero();
    }

    @Test
    void g1_clientCancelMidUnary_cancelsTheHandlersToken_andItsBodyUnwinds() throws Exception {
        Probe probe = new Probe();
        try (GrpcServer server = Loopback.netty(blocking(probe, new CountDownLatch(1)), OPTIONS)) {
            ManagedChannel channel = Loopback.channel(server.port());
            unaryThenCancel(channel, probe);
            assertUnwoundBecauseTheClientCancelled(probe, server);
            Loopback.close(channel);
        }
    }

    @Test
    void g1_clientCancelMidStream_cancelsTheHandlersToken_andItsBodyUnwinds() throws Exception {
        Probe probe = new Probe();
        try (GrpcServer server = Loopback.netty(blocking(probe, new CountDownLatch(1)), OPTIONS)) {
            ManagedChannel channel = Loopback.channel(server.port());
            streamThenCancel(channel, probe);
            assertUnwoundBecauseTheClientCancelled(probe, server);
            Loopback.close(channel);
        }
    }

    /** Negative control: plain grpc-java knows of the cancel (its Context says so), and the handler runs on. */
    @Test
    void negativeControl_plainGrpcJava_theUnaryHandlerRunsOnAfterTheCancel() throws Exception {
        Probe probe = new Probe();
        CountDownLatch grpcSawCancel = new CountDownLatch(1);
        try (Loopback.PlainServer server = Loopback.plainNetty(blocking(probe, grpcSawCancel))) {
            ManagedChannel channel = Loopback.channel(server.port());
            unaryThenCancel(channel, probe);
            Probe.await(grpcSawCancel, "grpc-java cancelled the call's Context");
            assertThat(probe.thread().join(Duration.ofMillis(500))).as("the handler thread still runs").isFalse();
            assertThat(probe.unwound.getCount()).as("its body has not unwound").isEqualTo(1);
            Loopback.close(channel);
        }
    }

    /** Negative control, streaming. */
    @Test
    void negativeControl_plainGrpcJava_theStreamingHandlerRunsOnAfterTheCancel() throws Exception {
        Probe probe = new Probe();
        CountDownLatch grpcSawCancel = new CountDownLatch(1);
        try (Loopback.PlainServer server = Loopback.plainNetty(blocking(probe, grpcSawCancel))) {
            ManagedChannel channel = Loopback.channel(server.port());
            streamThenCancel(channel, probe);
            Probe.await(grpcSawCancel, "grpc-java cancelled the call's Context");
            assertThat(probe.thread().join(Duration.ofMillis(500))).as("the handler thread still runs").isFalse();
            assertThat(probe.unwound.getCount()).as("its body has not unwound").isEqualTo(1);
            Loopback.close(channel);
        }
    }
}
