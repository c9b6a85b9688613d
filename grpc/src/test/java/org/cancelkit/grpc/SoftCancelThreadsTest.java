package org.cancelkit.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.testkit.internal.ThreadCensus;
import org.junit.jupiter.api.Test;

/**
 * G5 and C8 at scale: calls in flight under a softly cancelled token wait for its hard cancel without a
 * thread each (a census of every live thread, virtual ones included, before and after the soft cancel),
 * and are all cancelled once the grace has passed.
 */
class SoftCancelThreadsTest {
    private static final int CALLS = 200;

    @Test
    void g5_c8_callsWaitingForTheHardCancelHoldNoThreadEach() throws Exception {
        CountDownLatch entered = new CountDownLatch(CALLS);
        CountDownLatch unwound = new CountDownLatch(CALLS);
        GrpcServer server = Loopback.netty(Echo.unary(request -> {
            entered.countDown();
            try {
                Thread.sleep(60_000);
                return "done";
            } finally {
                unwound.countDown();
            }
        }), GrpcServerOptions.defaults());
        ManagedChannel channel = Loopback.channel(server.port(), CancellationClientInterceptor.create());
        try {
            CancellationSource caller = CancellationSource.create();
            List<ListenableFuture<String>> replies = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                replies.add(caller.call(() ->
                        ClientCalls.futureUnaryCall(channel.newCall(Echo.UNARY, CallOptions.DEFAULT), "hello")));
            }
            Probe.await(entered, "every handler started");
            Set<Long> before = tids(ThreadCensus.take());

            caller.cancel(CancelReason.shutdown("draining"), Duration.ofMillis(300));
            List<ThreadCensus.LiveThread> started = ThreadCensus.take().stream()
                    .filter(t -> !before.contains(t.tid())).toList();
            assertThat(started).as("threads started by the soft cancel of " + CALLS + " calls: "
                            + started.stream().map(ThreadCensus.LiveThread::name).toList())
                    .hasSizeLessThan(CALLS / 10);
            assertThat(unwound.getCount()).as("no handler was cancelled during the grace").isEqualTo(CALLS);

            for (ListenableFuture<String> reply : replies) {
                assertThat(reply).as("cancelled once the grace passed")
                        .failsWithin(Duration.ofSeconds(10));
            }
            assertThat(unwound.await(10, TimeUnit.SECONDS)).as("every handler unwound").isTrue();
        } finally {
            Loopback.close(channel);
            server.close();
        }
    }

    private static Set<Long> tids(List<ThreadCensus.LiveThread> threads) {
        return threads.stream().map(ThreadCensus.LiveThread::tid).collect(Collectors.toSet());
    }
}
