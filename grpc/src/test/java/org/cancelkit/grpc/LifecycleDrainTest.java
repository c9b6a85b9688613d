package org.cancelkit.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cancelkit.Cancellation;
import org.cancelkit.lifecycle.Application;
import org.cancelkit.lifecycle.ShutdownReport;
import org.cancelkit.lifecycle.Worker;
import org.cancelkit.lifecycle.WorkerOutcome;
import org.junit.jupiter.api.Test;

/**
 * G4 with L1: a gRPC server run as a {@code lifecycle} worker ({@link GrpcServerWorker}) is drained by
 * the application's shutdown: the calls in flight get the soft cancel and the worker's grace (A stops
 * at it, B finishes in it), the one that ignores it is cancelled hard when the grace has passed (C),
 * a new call is refused {@code UNAVAILABLE} (D), and the drain's report lists each call's outcome.
 * The negative control runs a plain grpc-java server in a worker that shuts it down: its in-flight
 * handler is never told, and runs on after the application has stopped.
 */
class LifecycleDrainTest {
    private static final Duration GRACE = Duration.ofSeconds(1);

    private static ServerServiceDefinition handlers(Map<String, Probe> probes, CountDownLatch releaseB) {
        return Echo.unary(request -> probes.get(request).around(r -> switch (r) {
            case "A" -> {
                Cancellation.sleep(Duration.ofSeconds(60)); // a cancelkit wait: wakes at the soft cancel
                yield "A done";
            }
            case "B" -> {
                Cancellation.onCancel(releaseB::countDown); // told at the soft cancel, finishes in its grace
                if (!releaseB.await(60, TimeUnit.SECONDS)) {
                    throw new AssertionError("B was never released");
                }
                yield "B done";
            }
            default -> {
                Thread.sleep(60_000); // only an interrupt (the hard cancel) stops it
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
    void g4_l1_theApplicationsShutdownDrainsTheGrpcServer_withEachCallsOutcomeReported() throws Exception {
        Map<String, Probe> probes = Map.of("A", new Probe(), "B", new Probe(), "C", new Probe(), "D", new Probe());
        GrpcServerWorker grpc = GrpcServerWorker.create("grpc", GRACE, Duration.ofSeconds(5),
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                        .addService(handlers(probes, new CountDownLatch(1))),
                GrpcServerOptions.defaults());
        Application app = Application.builder("svc").add(grpc.worker())
                .hardStopWait(Duration.ofSeconds(5)).budget(Duration.ofSeconds(20)).build().start();
        GrpcServer server = grpc.awaitStarted();
        ManagedChannel channel = Loopback.channel(server.port());
        try {
            Future<String> a = call(channel, "A", probes.get("A"));
            Future<String> b = call(channel, "B", probes.get("B"));
            Future<String> c = call(channel, "C", probes.get("C"));
            CountDownLatch draining = new CountDownLatch(1);
            server.token().onCancel(draining::countDown);

            app.shutdown("test");
            Probe.await(draining, "the drain began");
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, Echo.UNARY, CallOptions.DEFAULT, "D"))
                    .as("a new call is refused").isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThat(probes.get("D").entered.getCount()).as("D's handler never ran").isEqualTo(1);

            assertThat(statusOf(a).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("B done");
            assertThat(statusOf(c).getCode()).isEqualTo(Status.Code.UNAVAILABLE);

            ShutdownReport shutdown = app.awaitTermination();
            System.out.println(shutdown.format());
            assertThat(shutdown.worker("grpc").outcome()).as("the worker stopped; C needed the hard cancel")
                    .isEqualTo(WorkerOutcome.STOPPED_AFTER_HARD_CANCEL);

            DrainReport report = grpc.report().orElseThrow();
            System.out.println(report);
            assertThat(report.terminated()).isTrue();
            assertThat(report.grace()).isEqualTo(GRACE);
            List<CallOutcome> inFlight = report.calls().stream().filter(o -> o.kind() != CallOutcome.Kind.REFUSED).toList();
            assertThat(inFlight).extracting(CallOutcome::kind).containsExactly(
                    CallOutcome.Kind.STOPPED_BY_DRAIN, CallOutcome.Kind.COMPLETED, CallOutcome.Kind.STOPPED_BY_DRAIN);
            assertThat(inFlight.get(0).endedAfter()).as("A stopped at the soft cancel").isLessThan(GRACE);
            assertThat(inFlight.get(1).endedAfter()).as("B finished inside its grace").isLessThan(GRACE);
            assertThat(inFlight.get(2).endedAfter()).as("C only at the hard cancel").isGreaterThanOrEqualTo(GRACE);
            assertThat(report.calls(CallOutcome.Kind.STILL_RUNNING)).isEmpty();
            assertThat(probes.get("C").thread().join(Duration.ofSeconds(5))).as("C's thread ended").isTrue();
        } finally {
            app.shutdownNow("test over");
            Loopback.close(channel);
        }
    }

    /** Negative control: a worker that shuts a plain grpc-java server down leaves its in-flight handler running. */
    @Test
    void negativeControl_aPlainGrpcJavaServerInAWorker_leavesItsHandlerRunning() throws Exception {
        Map<String, Probe> probes = Map.of("C", new Probe());
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        CompletableFuture<Server> started = new CompletableFuture<>();
        Worker plain = Worker.of("grpc", Duration.ofMillis(200), token -> {
            Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).executor(executor)
                    .addService(handlers(probes, new CountDownLatch(0))).build().start();
            started.complete(s);
            try {
                token.awaitCancellation();
            } finally {
                s.shutdown(); // what a plain server offers: refuse new calls; in-flight handlers are not told
            }
        });
        Application app = Application.builder("svc").add(plain).hardStopWait(Duration.ofMillis(200)).build().start();
        Server server = started.get(10, TimeUnit.SECONDS);
        ManagedChannel channel = Loopback.channel(server.getPort());
        try {
            call(channel, "C", probes.get("C"));
            app.shutdown("test");
            app.awaitTermination();
            assertThat(probes.get("C").thread().isAlive()).as("the handler runs on after the application stopped").isTrue();
            assertThat(probes.get("C").reasonAtEnd).isNull();
        } finally {
            server.shutdownNow();
            executor.shutdownNow();
            Loopback.close(channel);
        }
    }
}
