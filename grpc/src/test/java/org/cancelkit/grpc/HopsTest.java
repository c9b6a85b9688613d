package org.cancelkit.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.cancelkit.CancelReason;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.cancelkit.http.ClientOptions;
import org.cancelkit.http.DeadlineClient;
import org.cancelkit.http.DeadlineHeader;
import org.cancelkit.jetty.DeadlineHandler;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/**
 * G2 and H4 together, one deadline across every hop: HTTP edge → gRPC service A → gRPC service B →
 * HTTP service C. The edge receives {@code Cancelkit-Deadline-Ms: 150}; each hop adopts what it
 * receives and passes on what is left ({@code grpc-timeout} between gRPC services, the cancelkit
 * header over HTTP). The remaining budget shrinks hop by hop, every hop is stopped by the deadline, and
 * the edge answers 504.
 */
class HopsTest {

    /** A Jetty server on loopback whose every request runs {@code body} bound to its token (DeadlineHandler). */
    private interface Body {
        String handle(String query) throws Exception;
    }

    private static final String WARM_UP = "warm-up";

    private static Server http(Body body) throws Exception {
        Server jetty = new Server(new InetSocketAddress("127.0.0.1", 0));
        jetty.setHandler(new DeadlineHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String query = request.getHttpURI().getQuery();
                Content.Sink.write(response, true, body.handle(query == null ? "" : query), callback);
                return true;
            }
        }));
        jetty.start();
        return jetty;
    }

    private static URI uri(Server jetty) {
        return URI.create("http://127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort() + "/");
    }

    @Test
    void g2_h4_aDeadlineSetAtTheHttpEdgeShrinksHopByHop_andStopsEveryHop() throws Exception {
        Probe edge = new Probe();
        Probe a = new Probe();
        Probe b = new Probe();
        Probe c = new Probe();
        DeadlineClient httpClient = DeadlineClient.of(HttpClient.newHttpClient(), ClientOptions.defaults());

        // Each hop first answers one warm-up request (connections made, classes loaded), unprobed.
        Server serviceC = http(query -> query.equals(WARM_UP) ? "C" : c.around(r -> {
            Cancellation.current().awaitCancellation(); // works until its deadline stops it
            return "C";
        }, "c"));
        Echo.Unary callC = r -> httpClient.send(HttpRequest.newBuilder(uri(serviceC).resolve(r.equals(WARM_UP) ? "/?" + WARM_UP : "/"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        GrpcServer serviceB = Loopback.netty(Echo.unary(request -> request.equals(WARM_UP) ? callC.handle(request)
                : b.around(callC, request)), GrpcServerOptions.defaults());
        ManagedChannel toB = Loopback.channel(serviceB.port(), CancellationClientInterceptor.create());
        Echo.Unary callB = r -> ClientCalls.blockingUnaryCall(toB, Echo.UNARY, CallOptions.DEFAULT, r);
        GrpcServer serviceA = Loopback.netty(Echo.unary(request -> request.equals(WARM_UP) ? callB.handle(request)
                : a.around(callB, request)), GrpcServerOptions.defaults());
        ManagedChannel toA = Loopback.channel(serviceA.port(), CancellationClientInterceptor.create());
        Echo.Unary callA = r -> ClientCalls.blockingUnaryCall(toA, Echo.UNARY, CallOptions.DEFAULT, r);
        Server edgeServer = http(query -> query.equals(WARM_UP) ? callA.handle(WARM_UP) : edge.around(callA, "edge"));
        try {
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri(edgeServer).resolve("/?" + WARM_UP)).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("C");
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(uri(edgeServer)).header(DeadlineHeader.NAME, "150").build(),
                    HttpResponse.BodyHandlers.ofString());
            // How late the 504 is, and where that time goes, is measured by the bench (GrpcBench), not here.
            System.out.printf("remaining on arrival: edge %s, A %s, B %s, C %s; edge answered %d%n",
                    edge.remaining, a.remaining, b.remaining, c.remaining, response.statusCode());

            assertThat(response.statusCode()).isEqualTo(504);
            Duration atEdge = edge.remaining.orElseThrow();
            Duration atA = a.remaining.orElseThrow();
            Duration atB = b.remaining.orElseThrow();
            Duration atC = c.remaining.orElseThrow();
            assertThat(atEdge).isLessThanOrEqualTo(Duration.ofMillis(150));
            assertThat(atA).as("A, one hop away").isLessThan(atEdge);
            assertThat(atB).as("B, two hops away").isLessThan(atA).isLessThanOrEqualTo(Duration.ofMillis(150));
            assertThat(atC).as("C, over HTTP again").isLessThan(atB);
            for (Probe p : new Probe[] {c, b, a, edge}) {
                Probe.await(p.unwound, "every hop unwound");
                assertThat(p.reasonAtEnd).isNotNull();
            }
            System.out.printf("reasons: edge %s, A %s, B %s, C %s%n", edge.reasonAtEnd, a.reasonAtEnd, b.reasonAtEnd, c.reasonAtEnd);
            // The edge's own deadline; further in, a hop's deadline precedes its caller's, and whichever
            // of the two notices first (its own timer, or its caller giving up) stops it.
            assertThat(edge.reasonAtEnd).extracting(CancelReason::kind).isEqualTo(CancelReason.Kind.DEADLINE);
            for (Probe p : new Probe[] {a, b, c}) {
                assertThat(p.reasonAtEnd).extracting(CancelReason::kind)
                        .isIn(CancelReason.Kind.DEADLINE, CancelReason.Kind.REQUESTED);
            }
        } finally {
            edgeServer.stop();
            Loopback.close(toA);
            serviceA.close();
            Loopback.close(toB);
            serviceB.close();
            serviceC.stop();
        }
    }

    /**
     * H4 and G5, by order rather than by the clock: the edge answers 504 at its deadline without waiting
     * for the hops downstream to unwind. Service B ignores its cancellation (it waits, uninterruptibly,
     * for the test to release it), so anything that waited for B to end would hold the edge's answer
     * for as long as the test holds B; the edge's 504 arrives while B still runs.
     */
    @Test
    void h4_g5_theEdgeAnswersAtItsDeadline_beforeTheHopsDownstreamHaveUnwound() throws Exception {
        Probe b = new Probe();
        CountDownLatch releaseB = new CountDownLatch(1);
        GrpcServer serviceB = Loopback.netty(Echo.unary(request -> b.around(r -> {
            boolean interrupted = false;
            while (true) {
                try {
                    releaseB.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // ignored on purpose until released; restored below
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return "B";
        }, request)), GrpcServerOptions.defaults());
        ManagedChannel toB = Loopback.channel(serviceB.port(), CancellationClientInterceptor.create());
        Echo.Unary callB = r -> ClientCalls.blockingUnaryCall(toB, Echo.UNARY, CallOptions.DEFAULT, r);
        GrpcServer serviceA = Loopback.netty(Echo.unary(callB), GrpcServerOptions.defaults());
        ManagedChannel toA = Loopback.channel(serviceA.port(), CancellationClientInterceptor.create());
        Server edgeServer = http(query -> ClientCalls.blockingUnaryCall(toA, Echo.UNARY, CallOptions.DEFAULT, "x"));
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(uri(edgeServer)).header(DeadlineHeader.NAME, "300").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(b.entered.getCount()).as("the call reached B").isZero();
            assertThat(b.unwound.getCount()).as("B was still running when the edge answered").isEqualTo(1);
            // B learns of it by its own deadline or by A's cancel crossing the wire, either of which may land
            // just after the edge's 504: wait for it (bounded), B is still held meanwhile
            assertThat(b.token().awaitCancellation(Duration.ofSeconds(10)))
                    .as("B's own token was cancelled (its deadline or its caller)").isTrue();
            assertThat(b.unwound.getCount()).as("and B had not unwound before it was released").isEqualTo(1);
        } finally {
            releaseB.countDown();
            Probe.await(b.unwound, "B unwound once released");
            edgeServer.stop();
            Loopback.close(toA);
            serviceA.close();
            Loopback.close(toB);
            serviceB.close();
        }
    }

    /** Control: the same chain called without a deadline runs under each server's maximum, not the edge's. */
    @Test
    void control_withoutAnEdgeDeadline_aGrpcHopGetsItsServersMaximum() throws Exception {
        Probe b = new Probe();
        GrpcServer serviceB = Loopback.netty(Echo.unary(request -> b.around(r -> "B", request)),
                GrpcServerOptions.defaults().withMaxDeadline(Duration.ofSeconds(7)));
        ManagedChannel toB = Loopback.channel(serviceB.port(), CancellationClientInterceptor.create());
        Server edgeServer = http(query -> ClientCalls.blockingUnaryCall(toB, Echo.UNARY, CallOptions.DEFAULT, "x"));
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(uri(edgeServer)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(b.remaining).get().satisfies(left ->
                    assertThat(left).isGreaterThan(Duration.ofSeconds(6)).isLessThanOrEqualTo(Duration.ofSeconds(7)));
            assertThat(CancellationToken.never().remaining()).isEmpty();
        } finally {
            edgeServer.stop();
            Loopback.close(toB);
            serviceB.close();
        }
    }
}
