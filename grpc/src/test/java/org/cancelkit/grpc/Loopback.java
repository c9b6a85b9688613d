package org.cancelkit.grpc;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Servers and channels for the tests: real grpc-netty-shaded on 127.0.0.1, or in-process. */
final class Loopback {
    private Loopback() {}

    private static final AtomicInteger NAMES = new AtomicInteger();

    /** A cancelkit server on Netty, on a free loopback port. */
    static GrpcServer netty(ServerServiceDefinition service, GrpcServerOptions options) throws IOException {
        return GrpcServer.start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service),
                options);
    }

    /** A cancelkit server in-process, under {@code name} (see {@link #inProcessName}). */
    static GrpcServer inProcess(String name, ServerServiceDefinition service, GrpcServerOptions options)
            throws IOException {
        return GrpcServer.start(InProcessServerBuilder.forName(name).addService(service), options);
    }

    static String inProcessName() {
        return "cancelkit-grpc-test-" + NAMES.incrementAndGet();
    }

    /**
     * A plain grpc-java server (no interceptor) on Netty, with handlers on virtual threads: the negative
     * controls' server.
     */
    static PlainServer plainNetty(ServerServiceDefinition service) throws IOException {
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).executor(executor)
                .addService(service).build().start();
        return new PlainServer(s, executor);
    }

    record PlainServer(Server server, ExecutorService executor) implements AutoCloseable {
        int port() {
            return server.getPort();
        }

        @Override
        public void close() {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the test is being stopped: keep the status, stop waiting
            }
            executor.shutdownNow(); // interrupts what the negative controls left running
        }
    }

    static ManagedChannel channel(int port, ClientInterceptor... interceptors) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().intercept(List.of(interceptors)).build();
    }

    static ManagedChannel inProcessChannel(String name, ClientInterceptor... interceptors) {
        return InProcessChannelBuilder.forName(name).directExecutor().intercept(List.of(interceptors)).build();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
