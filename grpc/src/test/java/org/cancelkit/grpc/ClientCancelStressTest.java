package org.cancelkit.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * G1's latency bound on a real loopback server: over 200 calls (half unary, half streaming), the time
 * from the client's cancel to the handler's blocked body having unwound is within 100 ms at p99.
 */
@Tag("stress")
class ClientCancelStressTest {

    @Test
    void g1_p99FromClientCancelToUnwoundHandlerIsWithin100ms_over200Calls() throws Exception {
        AtomicReference<Probe> current = new AtomicReference<>();
        long[] nanos = new long[200];
        try (GrpcServer server = Loopback.netty(Echo.service(request -> current.get().around(r -> {
            Thread.sleep(60_000);
            return r;
        }, request), (request, out) -> {
            Probe p = current.get();
            p.enter();
            try {
                out.onNext("first");
                Thread.sleep(60_000);
            } finally {
                p.exit(null);
            }
        }), GrpcServerOptions.defaults())) {
            ManagedChannel channel = Loopback.channel(server.port());
            for (int i = 0; i < nanos.length; i++) {
                Probe probe = new Probe();
                current.set(probe);
                boolean stream = i % 2 == 1;
                ClientCall<String, String> call = channel.newCall(stream ? Echo.STREAM : Echo.UNARY, CallOptions.DEFAULT);
                CountDownLatch first = new CountDownLatch(1);
                if (stream) {
                    ClientCalls.asyncServerStreamingCall(call, "x", new StreamObserver<>() {
                        @Override
                        public void onNext(String value) {
                            first.countDown();
                        }

                        @Override
                        public void onError(Throwable t) {}

                        @Override
                        public void onCompleted() {}
                    });
                } else {
                    ClientCalls.futureUnaryCall(call, "x");
                    Probe.await(probe.entered, "handler " + i + " started");
                    first.countDown();
                }
                Probe.await(first, "call " + i + " under way");
                long t0 = System.nanoTime();
                call.cancel("stress", null);
                Probe.await(probe.unwound, "handler " + i + " unwound");
                nanos[i] = System.nanoTime() - t0;
                assertThat(probe.reasonAtEnd).isNotNull();
                assertThat(probe.thread().join(java.time.Duration.ofSeconds(5))).isTrue();
            }
            Loopback.close(channel);
        }
        Arrays.sort(nanos);
        double p50 = nanos[nanos.length / 2] / 1e6;
        double p99 = nanos[(int) Math.ceil(nanos.length * 0.99) - 1] / 1e6;
        System.out.printf("client cancel -> handler unwound over %d calls: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                nanos.length, p50, p99, nanos[nanos.length - 1] / 1e6);
        assertThat(p99).isLessThanOrEqualTo(100.0);
    }
}
