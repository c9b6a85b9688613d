package org.cancelkit.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancelReason;
import org.cancelkit.Cancellation;
import org.junit.jupiter.api.Test;

/**
 * Tonic's streaming handler that stops when its call is cancelled, in Java, two ways (G1). On plain
 * grpc-java, the {@code select}-style handler races the next item against the call's cancellation (its
 * {@link Context}) in one mailbox and ends with "Request cancelled"; under cancelkit, the handler is
 * plain blocking code bound to the call's token, stopped at its blocking call.
 */
class TonicExampleTest {

    /** {@code select!} on the next item and {@code token.cancelled()}: one mailbox both race into. */
    static String selectStyle(StreamObserver<String> out) throws InterruptedException {
        BlockingQueue<Optional<String>> mailbox = new LinkedBlockingQueue<>();
        Context.current().addListener(c -> mailbox.add(Optional.empty()), Runnable::run); // token.cancelled()
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; ; i++) {
                    Thread.sleep(10);
                    mailbox.add(Optional.of("item " + i));
                }
            } catch (InterruptedException e) {
                // the handler stopped the producer: its end, nothing to restore on a thread that ends here
            }
        });
        try {
            while (true) {
                Optional<String> next = mailbox.take(); // select!
                if (next.isEmpty()) {
                    out.onError(Status.CANCELLED.withDescription("Request cancelled").asRuntimeException());
                    return "Request cancelled";
                }
                out.onNext(next.get());
            }
        } finally {
            producer.interrupt();
        }
    }

    /** The cancelkit way: the loop of the work itself; its blocking call is where the cancellation lands. */
    static void cancelkitStyle(StreamObserver<String> out) throws InterruptedException {
        for (int i = 0; ; i++) {
            Cancellation.sleep(Duration.ofMillis(10)); // producing the next item
            out.onNext("item " + i);
        }
    }

    private static void receiveThreeThenCancel(ManagedChannel channel, String request) throws Exception {
        ClientCall<String, String> call = channel.newCall(Echo.STREAM, CallOptions.DEFAULT);
        CountDownLatch three = new CountDownLatch(3);
        ClientCalls.asyncServerStreamingCall(call, request, new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                three.countDown();
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        Probe.await(three, "three items of " + request);
        call.cancel("the client has seen enough", null);
    }

    @Test
    void g1_theSelectStyleHandlerReturnsRequestCancelled_theCancelkitOneStopsAtItsBlockingCall() throws Exception {
        CompletableFuture<String> selectResult = new CompletableFuture<>();
        try (Loopback.PlainServer plain = Loopback.plainNetty(Echo.streaming((request, out) -> selectResult.complete(selectStyle(out))))) {
            ManagedChannel channel = Loopback.channel(plain.port());
            receiveThreeThenCancel(channel, "select");
            assertThat(selectResult.get(10, TimeUnit.SECONDS)).isEqualTo("Request cancelled");
            Loopback.close(channel);
        }
        Probe cancelkit = new Probe();
        try (GrpcServer server = Loopback.netty(Echo.streaming((request, out) -> {
            cancelkit.enter();
            try {
                cancelkitStyle(out);
            } catch (RuntimeException | InterruptedException e) {
                cancelkit.exit(e);
                throw e;
            }
        }), GrpcServerOptions.defaults())) {
            ManagedChannel channel = Loopback.channel(server.port());
            receiveThreeThenCancel(channel, "cancelkit");
            Probe.await(cancelkit.unwound, "the cancelkit handler stopped");
            assertThat(cancelkit.reasonAtEnd).isNotNull().extracting(CancelReason::message).isEqualTo("client cancelled");
            assertThat(cancelkit.thread().join(Duration.ofSeconds(10))).isTrue();
            Loopback.close(channel);
        }
    }
}
