package org.cancelkit.cli;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.CancelReason;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.cancelkit.grpc.GrpcServer;
import org.cancelkit.grpc.GrpcServerOptions;
import org.jspecify.annotations.Nullable;

/** The gRPC scenario: Tonic's streaming handler that stops when its call is cancelled, in Java, two ways. */
final class GrpcScenarios {
    private GrpcScenarios() {}

    static List<Scenario> all() {
        return List.of(new TonicStreaming());
    }

    private static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<String, String> ITEMS = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING).setFullMethodName("tour.Items/Stream")
            .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();

    private interface Handler {
        void handle(StreamObserver<String> out) throws Exception;
    }

    private static ServerServiceDefinition service(Handler handler) {
        return ServerServiceDefinition.builder("tour.Items").addMethod(ITEMS, ServerCalls.asyncServerStreamingCall(
                (request, out) -> {
                    try {
                        handler.handle(out);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })).build();
    }

    /** Receives three items, then cancels the call, as a client that has seen enough. */
    private static void threeThenCancel(int port) throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            ClientCall<String, String> call = channel.newCall(ITEMS, CallOptions.DEFAULT);
            CountDownLatch three = new CountDownLatch(3);
            ClientCalls.asyncServerStreamingCall(call, "items", new StreamObserver<>() {
                @Override
                public void onNext(String value) {
                    three.countDown();
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
            });
            if (!three.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the stream did not send three items within 10 s");
            }
            call.cancel("the client has seen enough", null);
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Tonic's example: select! on the next item and the call's cancellation; then the cancelkit way. */
    static final class TonicStreaming implements Scenario {
        @Override
        public String name() {
            return "grpc";
        }

        @Override
        public String title() {
            return "gRPC streaming handler stopped by its client's cancel: select-style on plain grpc-java, and plain blocking code under cancelkit";
        }

        @Override
        public String invariants() {
            return "G1 G3";
        }

        /** {@code select!}: the next item and the call's cancellation race into one mailbox. */
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
                    // stopped by the handler; this thread ends here
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

        /** The cancelkit way: the work's own loop, bound to the call's token. */
        static void cancelkitStyle(StreamObserver<String> out) throws InterruptedException {
            for (int i = 0; ; i++) {
                Cancellation.sleep(Duration.ofMillis(10)); // producing the next item: the cancel lands here
                out.onNext("item " + i);
            }
        }

        @Override
        public void run(Report r) throws Exception {
            CompletableFuture<String> selectResult = new CompletableFuture<>();
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            Server plain = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).executor(executor)
                    .addService(service(out -> selectResult.complete(selectStyle(out)))).build().start();
            try {
                threeThenCancel(plain.getPort());
                String result = selectResult.get(10, TimeUnit.SECONDS);
                r.say("select-style handler on plain grpc-java returned: \"" + result + "\"");
                r.check("the select-style handler saw the cancel and returned \"Request cancelled\"",
                        result.equals("Request cancelled"));
            } finally {
                plain.shutdownNow();
                plain.awaitTermination(5, TimeUnit.SECONDS);
                executor.shutdownNow();
            }

            AtomicReference<@Nullable CancellationToken> token = new AtomicReference<>();
            AtomicReference<@Nullable Thread> thread = new AtomicReference<>();
            CountDownLatch stopped = new CountDownLatch(1);
            AtomicReference<@Nullable Throwable> stoppedBy = new AtomicReference<>();
            try (GrpcServer server = GrpcServer.start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(service(out -> {
                        token.set(Cancellation.current());
                        thread.set(Thread.currentThread());
                        try {
                            cancelkitStyle(out);
                        } catch (RuntimeException | InterruptedException e) {
                            stoppedBy.set(e);
                            stopped.countDown();
                            throw e;
                        }
                    })), GrpcServerOptions.defaults())) {
                threeThenCancel(server.port());
                boolean ended = stopped.await(10, TimeUnit.SECONDS);
                CancellationToken t = token.get();
                Optional<CancelReason> why = t == null ? Optional.empty() : t.reason();
                Thread th = thread.get();
                boolean threadEnded = th != null && th.join(Duration.ofSeconds(5));
                r.say("cancelkit handler (a plain loop of Cancellation.sleep) stopped by: " + stoppedBy.get());
                r.say("its token's reason: " + why.map(CancelReason::toString).orElse("none"));
                r.check("G1: the handler's token was cancelled with reason \"client cancelled\"",
                        ended && why.map(CancelReason::message).orElse("").equals("client cancelled"));
                r.check("G1: the handler's blocked loop unwound and its virtual thread ended",
                        threadEnded && th.isVirtual());
                r.check("G1: no call is left in flight", server.inFlight() == 0);
            }
        }
    }
}
