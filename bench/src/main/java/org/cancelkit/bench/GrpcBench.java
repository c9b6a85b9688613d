package org.cancelkit.bench;

import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.Timeout;
import org.cancelkit.grpc.CancellationClientInterceptor;
import org.cancelkit.grpc.GrpcServer;
import org.cancelkit.grpc.GrpcServerOptions;

/**
 * cancelkit's gRPC interceptors against plain grpc-java on loopback (grpc-netty-shaded), in the same
 * JVM and the same rounds (order alternating). A program, not JMH: the quantities are latency
 * percentiles and one latency per round.
 *
 * <ol>
 *   <li>Unary round trip, one caller, back to back: cancelkit ({@code GrpcServer}, a client channel
 *       with {@code CancellationClientInterceptor}, each call inside {@code Timeout.call(10 s)}) against
 *       plain grpc-java (a server on a virtual-thread-per-task executor, each call with
 *       {@code withDeadlineAfter(10 s)}): both send {@code grpc-timeout}. The contenders take turns in
 *       blocks of {@value #BLOCK} calls. p50 and p99 per round, and their ratios; target: at most 1.05.</li>
 *   <li>{@value #STREAMS} server-streaming calls in flight, each handler blocked until its call is
 *       cancelled, then all cancelled at once by the client: the time from the cancel until every
 *       handler has ended. cancelkit: calls made under one {@code CancellationSource}, cancelled;
 *       handlers in {@code Cancellation.current().awaitCancellation()}. Plain grpc-java: calls made in
 *       one {@code Context.CancellableContext}, cancelled; handlers wait on a latch that the call
 *       {@code Context}'s cancellation listener opens.</li>
 * </ol>
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.cancelkit.bench.GrpcBench [rounds [calls]]}.
 */
public final class GrpcBench {
    static final int STREAMS = 10_000;
    static final int WARM_UP = 3;
    /** Unary calls per contender before the other takes its turn. */
    static final int BLOCK = 50;
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(10);

    private GrpcBench() {}

    /**
     * Runs the rounds and prints one line per round and {@code RESULT} lines.
     *
     * @param args optional number of measured rounds (default 5) and unary calls per round (default 5,000)
     * @throws Exception when a round fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        unary(rounds, calls);
        streams(Math.max(2, rounds));
        System.exit(0); // grpc-java's and Netty's threads end with the JVM
    }

    // ------------------------------------------------------------------ unary

    private static ServerServiceDefinition echo() {
        return ServerServiceDefinition.builder("bench.Echo")
                .addMethod(GrpcEcho.UNARY, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                    out.onNext(request);
                    out.onCompleted();
                }))
                .build();
    }

    private static void unary(int rounds, int calls) throws Exception {
        GrpcServer ck = GrpcServer.start(GrpcEcho.loopback().addService(echo()), GrpcServerOptions.defaults());
        GrpcEcho.Plain plain = GrpcEcho.Plain.start(echo());
        ManagedChannel ckChannel = GrpcEcho.channel(ck.port(), CancellationClientInterceptor.create());
        ManagedChannel plainChannel = GrpcEcho.channel(plain.port());
        double[] p50Ratio = new double[rounds];
        double[] p99Ratio = new double[rounds];
        double[][] perRound = new double[rounds][4];
        try {
            for (int r = -WARM_UP; r < rounds; r++) {
                // Blocks of BLOCK calls, alternating: a burst of noise on the shared machine hits both alike.
                long[] a = new long[calls];
                long[] b = new long[calls];
                for (int done = 0; done < calls; done += BLOCK) {
                    int n = Math.min(BLOCK, calls - done);
                    boolean ckFirst = ((done / BLOCK + r) & 1) == 0;
                    System.arraycopy(unaryRound(ckFirst ? ckChannel : plainChannel, ckFirst, n), 0, ckFirst ? a : b, done, n);
                    System.arraycopy(unaryRound(ckFirst ? plainChannel : ckChannel, !ckFirst, n), 0, ckFirst ? b : a, done, n);
                }
                Arrays.sort(a);
                Arrays.sort(b);
                double[] q = {Out.percentile(a, 0.50) / 1e3, Out.percentile(a, 0.99) / 1e3,
                        Out.percentile(b, 0.50) / 1e3, Out.percentile(b, 0.99) / 1e3};
                System.out.printf("%s %d: unary round trip, cancelkit p50 %.1f us p99 %.1f us; plain p50 %.1f us p99 %.1f us%n",
                        r < 0 ? "warm-up" : "round", r, q[0], q[1], q[2], q[3]);
                if (r >= 0) {
                    perRound[r] = q;
                    p50Ratio[r] = q[0] / q[2];
                    p99Ratio[r] = q[1] / q[3];
                }
            }
        } finally {
            GrpcEcho.close(ckChannel);
            GrpcEcho.close(plainChannel);
            ck.close();
            plain.close();
        }
        Out.result("unary.calls", Integer.toString(calls));
        Out.result("unary.rounds", Integer.toString(rounds));
        series("unary.ck.p50", column(perRound, 0));
        series("unary.ck.p99", column(perRound, 1));
        series("unary.plain.p50", column(perRound, 2));
        series("unary.plain.p99", column(perRound, 3));
        series("unary.ratio.p50", p50Ratio);
        series("unary.ratio.p99", p99Ratio);
    }

    private static long[] unaryRound(ManagedChannel channel, boolean cancelkit, int calls) throws Exception {
        long[] t = new long[calls];
        CallOptions plainOptions = CallOptions.DEFAULT;
        for (int i = 0; i < calls; i++) {
            long s = System.nanoTime();
            String reply;
            if (cancelkit) {
                reply = Timeout.call(CALL_DEADLINE,
                        () -> ClientCalls.blockingUnaryCall(channel, GrpcEcho.UNARY, CallOptions.DEFAULT, "ping"));
            } else {
                reply = ClientCalls.blockingUnaryCall(channel, GrpcEcho.UNARY,
                        plainOptions.withDeadlineAfter(CALL_DEADLINE.toNanos(), TimeUnit.NANOSECONDS), "ping");
            }
            t[i] = System.nanoTime() - s;
            if (!reply.equals("ping")) {
                throw new IllegalStateException("unexpected reply " + reply);
            }
        }
        return t;
    }

    // ------------------------------------------------------------------ 10,000 streams cancelled

    /** The handlers of one contender: each counts its start and its end. */
    private static final class Handlers {
        volatile CountDownLatch entered = new CountDownLatch(STREAMS);
        volatile CountDownLatch ended = new CountDownLatch(STREAMS);

        void reset() {
            entered = new CountDownLatch(STREAMS);
            ended = new CountDownLatch(STREAMS);
        }
    }

    private static ServerServiceDefinition cancelkitStreams(Handlers h) {
        return ServerServiceDefinition.builder("bench.Echo")
                .addMethod(GrpcEcho.STREAM, ServerCalls.asyncServerStreamingCall((String request, StreamObserver<String> out) -> {
                    CountDownLatch ended = h.ended;
                    h.entered.countDown();
                    try {
                        Cancellation.current().awaitCancellation(); // throws CancelledException when the call is cancelled
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // not cancelkit's: keep it; the handler ends either way
                    } finally {
                        ended.countDown();
                    }
                }))
                .build();
    }

    private static ServerServiceDefinition plainStreams(Handlers h) {
        return ServerServiceDefinition.builder("bench.Echo")
                .addMethod(GrpcEcho.STREAM, ServerCalls.asyncServerStreamingCall((String request, StreamObserver<String> out) -> {
                    CountDownLatch ended = h.ended;
                    CountDownLatch cancelled = new CountDownLatch(1);
                    Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
                    h.entered.countDown();
                    try {
                        cancelled.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // the executor is stopping: end the handler, keep the flag
                    } finally {
                        ended.countDown();
                    }
                }))
                .build();
    }

    private static final StreamObserver<String> IGNORE = new StreamObserver<>() {
        @Override
        public void onNext(String value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
    };

    private static void streams(int rounds) throws Exception {
        Handlers ckHandlers = new Handlers();
        Handlers plainHandlers = new Handlers();
        GrpcServer ck = GrpcServer.start(GrpcEcho.loopback().addService(cancelkitStreams(ckHandlers)),
                GrpcServerOptions.defaults().withMaxDeadline(Duration.ofMinutes(5)));
        GrpcEcho.Plain plain = GrpcEcho.Plain.start(plainStreams(plainHandlers));
        ManagedChannel ckChannel = GrpcEcho.channel(ck.port(), CancellationClientInterceptor.create());
        ManagedChannel plainChannel = GrpcEcho.channel(plain.port());
        int warmUp = 2;
        double[] ckMs = new double[rounds];
        double[] plainMs = new double[rounds];
        try {
            for (int r = -warmUp; r < rounds; r++) {
                double a;
                double b;
                if ((r & 1) == 0) {
                    a = cancelkitStreamsRound(ckChannel, ckHandlers);
                    b = plainStreamsRound(plainChannel, plainHandlers);
                } else {
                    b = plainStreamsRound(plainChannel, plainHandlers);
                    a = cancelkitStreamsRound(ckChannel, ckHandlers);
                }
                System.out.printf("%s %d: %,d streams cancelled, every handler ended after: cancelkit %.1f ms, plain grpc-java %.1f ms%n",
                        r < 0 ? "warm-up" : "round", r, STREAMS, a, b);
                if (r >= 0) {
                    ckMs[r] = a;
                    plainMs[r] = b;
                }
            }
        } finally {
            GrpcEcho.close(ckChannel);
            GrpcEcho.close(plainChannel);
            ck.close();
            plain.close();
        }
        Out.result("streams.n", Integer.toString(STREAMS));
        series("streams.ck", ckMs);
        series("streams.plain", plainMs);
    }

    private static double cancelkitStreamsRound(ManagedChannel channel, Handlers h) throws Exception {
        h.reset();
        CancellationSource callers = CancellationSource.create();
        callers.run(() -> {
            for (int i = 0; i < STREAMS; i++) {
                ClientCalls.asyncServerStreamingCall(channel.newCall(GrpcEcho.STREAM, CallOptions.DEFAULT), "s", IGNORE);
            }
        });
        await(h.entered, "every cancelkit handler started");
        long start = System.nanoTime();
        callers.cancel("bench: every call at once");
        await(h.ended, "every cancelkit handler ended");
        double ms = (System.nanoTime() - start) / 1e6;
        callers.close();
        return ms;
    }

    private static double plainStreamsRound(ManagedChannel channel, Handlers h) throws Exception {
        h.reset();
        Context.CancellableContext callers = Context.current().withCancellation();
        callers.run(() -> {
            for (int i = 0; i < STREAMS; i++) {
                ClientCalls.asyncServerStreamingCall(channel.newCall(GrpcEcho.STREAM, CallOptions.DEFAULT), "s", IGNORE);
            }
        });
        await(h.entered, "every plain handler started");
        long start = System.nanoTime();
        callers.cancel(null);
        await(h.ended, "every plain handler ended");
        return (System.nanoTime() - start) / 1e6;
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("timed out waiting until " + what + " (" + latch.getCount() + " left)");
        }
    }

    // ------------------------------------------------------------------ output

    private static double[] column(double[][] rows, int c) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i][c];
        }
        return out;
    }

    /** Median, min and max of a series, and each value, as RESULT lines. */
    static void series(String key, double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        StringBuilder each = new StringBuilder();
        for (double v : values) {
            each.append(each.isEmpty() ? "" : ", ").append(String.format("%.3f", v));
        }
        double median = (s.length & 1) == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        Out.result(key + ".median", String.format("%.3f", median));
        Out.result(key + ".min", String.format("%.3f", s[0]));
        Out.result(key + ".max", String.format("%.3f", s[s.length - 1]));
        Out.result(key + ".each", each.toString());
    }
}
