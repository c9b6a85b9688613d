package org.cancelkit.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cancelkit.Cancellation;
import org.junit.jupiter.api.Test;

/**
 * G4 on a real loopback server: a drain refuses new calls, soft-cancels the calls in flight (a
 * cooperative handler stops at once, one that finishes within the grace completes), cancels hard the
 * ones still running when the grace has passed, and reports each call's outcome. The negative control
 * shuts a plain grpc-java server down: its handler runs on.
 */
class DrainTest {
    private static final Duration GRACE = Duration.ofSeconds(1);

    /** A: stops at the soft cancel (a cancelkit sleep wakes); B: finishes in its grace; C: only a hard cancel stops it. */
    private static ServerServiceDefinition handlers(Map<String, Probe> probes, CountDownLatch releaseB) {
        return Echo.unary(request -> probes.get(request).around(r -> switch (r) {
            case "A" -> {
                Cancellation.sleep(Duration.ofSeconds(60));
                yield "A done";
            }
            case "B" -> {
                if (!releaseB.await(60, TimeUnit.SECONDS)) {
                    throw new AssertionError("B was never released");
                }
                yield "B done";
            }
            default -> {
                Thread.sleep(60_000);
                yield r + " done";
            }
        }, request));
    }

    private static Future<String> call(ManagedChannel channel, String which, Probe probe) throws InterruptedException {
        Future<String> f = ClientCalls.futureUnaryCall(channel.newCall(Echo.UNARY, CallOptions.DEFAULT), which);
        Probe.await(probe.entered, which + " started");
        return f;
    }

    private static Status statusOf(Future<String> f) throws InterruptedException {
        try {
            f.get(10, TimeUnit.SECONDS);
            return Status.OK;
        } catch (ExecutionException e) {
            return Status.fromThrowable(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the call did not end", e);
        }
    }

    @Test
    void g4_drainGivesInFlightCallsTheirGrace_refusesNewOnes_stopsTheRestHard_andReports() throws Exception {
        Map<String, Probe> probes = Map.of("A", new Probe(), "B", new Probe(), "C", new Probe(), "D", new Probe());
        CountDownLatch releaseB = new CountDownLatch(1);
        GrpcServer server = Loopback.netty(handlers(probes, releaseB), GrpcServerOptions.defaults());
        ManagedChannel channel = Loopback.channel(server.port());
        try {
            Future<String> a = call(channel, "A", probes.get("A"));
            Future<String> b = call(channel, "B", probes.get("B"));
            Future<String> c = call(channel, "C", probes.get("C"));
            CountDownLatch draining = new CountDownLatch(1);
            server.token().onCancel(() -> {
                draining.countDown();
                releaseB.countDown(); // B finishes once it is told, inside its grace
            });
            CompletableFuture<DrainReport> drain = CompletableFuture.supplyAsync(
                    () -> server.drain(GRACE, Duration.ofSeconds(5)), r -> Thread.ofVirtual().start(r));
            Probe.await(draining, "the drain began");

            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, Echo.UNARY, CallOptions.DEFAULT, "D"))
                    .as("a new call is refused").isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThat(probes.get("D").entered.getCount()).as("D's handler never ran").isEqualTo(1);

            Status sa = statusOf(a);
            assertThat(sa.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(sa.getDescription()).isEqualTo("the server is draining: server draining");
            assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("B done");
            Status sc = statusOf(c);
            assertThat(sc.getCode()).isEqualTo(Status.Code.UNAVAILABLE);

            DrainReport report = drain.get(20, TimeUnit.SECONDS);
            System.out.println(report);
            assertThat(report.terminated()).isTrue();
            List<CallOutcome> inFlight = report.calls().stream().filter(o -> o.kind() != CallOutcome.Kind.REFUSED).toList();
            assertThat(inFlight).extracting(CallOutcome::kind).containsExactly(
                    CallOutcome.Kind.STOPPED_BY_DRAIN, CallOutcome.Kind.COMPLETED, CallOutcome.Kind.STOPPED_BY_DRAIN);
            assertThat(inFlight.get(0).endedAfter()).as("A stopped at the soft cancel, inside its grace").isLessThan(GRACE);
            assertThat(inFlight.get(1).endedAfter()).as("B finished inside its grace").isLessThan(GRACE);
            assertThat(inFlight.get(2).endedAfter()).as("C was stopped only by the hard cancel").isGreaterThanOrEqualTo(GRACE);
            assertThat(report.calls(CallOutcome.Kind.STILL_RUNNING)).isEmpty();
            for (String which : List.of("A", "C")) {
                assertThat(probes.get(which).thread().join(Duration.ofSeconds(5))).as(which + "'s thread ended").isTrue();
            }
        } finally {
            server.close();
            Loopback.close(channel);
        }
    }

    /** Negative control: a plain grpc-java server's shutdown leaves an in-flight handler running past any grace. */
    @Test
    void negativeControl_plainGrpcJava_shutdownLeavesTheHandlerRunning() throws Exception {
        Map<String, Probe> probes = Map.of("C", new Probe());
        try (Loopback.PlainServer server = Loopback.plainNetty(handlers(probes, new CountDownLatch(0)))) {
            ManagedChannel channel = Loopback.channel(server.port());
            call(channel, "C", probes.get("C"));
            server.server().shutdown();
            assertThat(server.server().awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS)).isFalse();
            assertThat(probes.get("C").thread().isAlive()).as("the handler runs on").isTrue();
            Loopback.close(channel);
        }
    }
}
