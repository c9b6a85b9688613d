package org.cancelkit.bench;

import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A gRPC service of strings without protobuf, and loopback servers and channels, for {@link GrpcBench}. */
final class GrpcEcho {
    private GrpcEcho() {}

    static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
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

    static final MethodDescriptor<String, String> UNARY = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("bench.Echo/Unary")
            .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();

    static final MethodDescriptor<String, String> STREAM = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING).setFullMethodName("bench.Echo/Stream")
            .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();

    static NettyServerBuilder loopback() {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    }

    /** A plain grpc-java server, its handlers on virtual threads as {@code GrpcServer}'s are. */
    record Plain(Server server, ExecutorService executor) {
        static Plain start(ServerServiceDefinition service) throws IOException {
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            return new Plain(loopback().executor(executor).addService(service).build().start(), executor);
        }

        int port() {
            return server.getPort();
        }

        void close() throws InterruptedException {
            server.shutdownNow();
            server.awaitTermination(10, TimeUnit.SECONDS);
            executor.shutdownNow();
        }
    }

    static ManagedChannel channel(int port, io.grpc.ClientInterceptor... interceptors) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().intercept(interceptors).build();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
    }
}
