package org.cancelkit.bench;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cancelkit.Cancellation;
import org.cancelkit.grpc.CancellationClientInterceptor;
import org.cancelkit.grpc.GrpcServer;
import org.cancelkit.grpc.GrpcServerOptions;
import org.cancelkit.http.DeadlineHeader;
import org.cancelkit.jetty.DeadlineHandler;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * How late an HTTP edge's 504 is after the deadline it received, with two gRPC hops behind it: an HTTP
 * client sends {@code Cancelkit-Deadline-Ms: 150} to a Jetty edge ({@code DeadlineHandler}), whose
 * handler calls gRPC service A, which calls gRPC service B, which waits for its cancellation. Each
 * request is timed from its arrival at the edge (the outermost Jetty handler) and split where the time
 * goes: the edge's timer (its token cancelled after the deadline), the edge's handler unwinding (from
 * that cancel to its body's exit: the blocking gRPC call giving up), Jetty writing the 504 (from the
 * exit to the response's callback), and the client receiving it (negative when the client read the 504 before Jetty completed its callback). Warm-up requests take both paths (200
 * and 504) first, so that no request pays for classes loaded on the first 504. Target: the 504 within 50
 * ms of the deadline (p99).
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.cancelkit.bench.GrpcHopsLatency [requests]}.
 */
public final class GrpcHopsLatency {
    static final int DEADLINE_MS = 150;
    static final int WARM_UP = 10;

    private GrpcHopsLatency() {}

    /** Where one request's time went; nanoTime stamps written by the edge's threads. */
    private static final class Stamps {
        volatile long arrived;
        volatile long cancelled;
        volatile long exited;
        volatile long responded;
        /** Opens when Jetty completes the response's callback, which may come after the client has read it. */
        final CountDownLatch completed = new CountDownLatch(1);
        /** Opens when the edge's token has run the stamping callback, which may come after the body's exit. */
        final CountDownLatch stamped = new CountDownLatch(1);
    }

    private static volatile Stamps current = new Stamps();

    /**
     * Runs the requests and prints one line per request and {@code RESULT} lines.
     *
     * @param args optional number of measured requests (default 40)
     * @throws Exception when a request fails
     */
    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        GrpcServer b = GrpcServer.start(GrpcEcho.loopback().addService(unary(request -> {
            if (request.equals("fast")) {
                return "B";
            }
            Cancellation.current().awaitCancellation(); // works until its deadline or its caller stops it
            return "B";
        })), GrpcServerOptions.defaults());
        ManagedChannel toB = GrpcEcho.channel(b.port(), CancellationClientInterceptor.create());
        GrpcServer a = GrpcServer.start(GrpcEcho.loopback().addService(unary(
                request -> ClientCalls.blockingUnaryCall(toB, GrpcEcho.UNARY, CallOptions.DEFAULT, request))),
                GrpcServerOptions.defaults());
        ManagedChannel toA = GrpcEcho.channel(a.port(), CancellationClientInterceptor.create());
        Server edge = edge(toA);
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + ((ServerConnector) edge.getConnectors()[0]).getLocalPort() + "/");
        long[] late = new long[requests];
        long[] timer = new long[requests];
        long[] unwind = new long[requests];
        long[] jetty = new long[requests];
        long[] toClient = new long[requests];
        try {
            for (int i = -WARM_UP; i < requests; i++) {
                if (i < 0 && (i & 1) == 0) {
                    send(client, uri.resolve("/?fast"), 10_000, 200);
                }
                Stamps s = new Stamps();
                current = s;
                send(client, uri, DEADLINE_MS, 504);
                long received = System.nanoTime();
                if (!s.completed.await(10, TimeUnit.SECONDS) || !s.stamped.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("Jetty never completed the 504's callback, or the edge's token never ran its callback");
                }
                long deadline = s.arrived + DEADLINE_MS * 1_000_000L;
                if (i >= 0) {
                    late[i] = received - deadline;
                    timer[i] = s.cancelled - deadline;
                    unwind[i] = s.exited - s.cancelled;
                    jetty[i] = s.responded - s.exited;
                    toClient[i] = received - s.responded; // negative when the client read it before the callback
                }
                System.out.printf("%s %d: 504 at deadline + %.1f ms (timer %.1f, unwind %.1f, jetty %.1f, to client %.1f)%n",
                        i < 0 ? "warm-up" : "request", i, (received - deadline) / 1e6, (s.cancelled - deadline) / 1e6,
                        (s.exited - s.cancelled) / 1e6, (s.responded - s.exited) / 1e6, (received - s.responded) / 1e6);
            }
        } finally {
            edge.stop();
            GrpcEcho.close(toA);
            a.close();
            GrpcEcho.close(toB);
            b.close();
        }
        Out.percentiles("hops.late", late);
        Out.percentiles("hops.timer", timer);
        Out.percentiles("hops.unwind", unwind);
        Out.percentiles("hops.jetty", jetty);
        Out.percentiles("hops.toClient", toClient);
        System.exit(0); // grpc-java's and Netty's threads end with the JVM
    }

    private interface Body {
        String handle(String request) throws Exception;
    }

    private static ServerServiceDefinition unary(Body body) {
        return ServerServiceDefinition.builder("bench.Echo")
                .addMethod(GrpcEcho.UNARY, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                    String reply;
                    try {
                        reply = body.handle(request);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    out.onNext(reply);
                    out.onCompleted();
                }))
                .build();
    }

    /** The edge: arrival and response stamped outside DeadlineHandler; cancel and exit inside it. */
    private static Server edge(ManagedChannel toA) throws Exception {
        Handler inner = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String query = request.getHttpURI().getQuery();
                Stamps s = current;
                DeadlineHandler.token(request).orElseThrow().onCancel(() -> {
                    s.cancelled = System.nanoTime();
                    s.stamped.countDown();
                });
                try {
                    String reply = ClientCalls.blockingUnaryCall(toA, GrpcEcho.UNARY, CallOptions.DEFAULT,
                            query == null ? "slow" : "fast");
                    Content.Sink.write(response, true, reply, callback);
                    return true;
                } finally {
                    s.exited = System.nanoTime();
                }
            }
        };
        Server jetty = new Server(new InetSocketAddress("127.0.0.1", 0));
        jetty.setHandler(new Handler.Wrapper(new DeadlineHandler(inner)) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Stamps s = current;
                s.arrived = System.nanoTime();
                return super.handle(request, response, Callback.from(() -> {
                    s.responded = System.nanoTime();
                    s.completed.countDown();
                    callback.succeeded();
                }, failure -> {
                    s.responded = System.nanoTime();
                    s.completed.countDown();
                    callback.failed(failure);
                }));
            }
        });
        jetty.start();
        return jetty;
    }

    private static void send(HttpClient client, URI uri, int deadlineMs, int expected) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                .header(DeadlineHeader.NAME, Integer.toString(deadlineMs)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException("expected " + expected + " from the edge, got " + r.statusCode() + ": " + r.body());
        }
    }
}
