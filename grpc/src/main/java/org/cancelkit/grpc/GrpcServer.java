package org.cancelkit.grpc;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;

/**
 * A gRPC server whose handlers run on virtual threads, each bound to its call's token
 * ({@link CancellationServerInterceptor}), under one server-wide token that a graceful
 * {@link #drain} cancels: softly first, with a grace, then hard (G4).
 *
 * {@snippet :
 * try (GrpcServer server = GrpcServer.start(
 *         NettyServerBuilder.forPort(8080).addService(new Greeter()), GrpcServerOptions.defaults())) {
 *     awaitShutdownSignal();
 *     DrainReport report = server.drain(Duration.ofSeconds(10), Duration.ofSeconds(2));
 *     log.info(report.toString());                   // every in-flight call and how it ended
 * }
 * }
 *
 * <h2>A drain</h2>
 * <ol>
 *   <li>The server stops taking calls ({@link Server#shutdown()}): new calls are refused with
 *       {@code UNAVAILABLE}, by grpc-java or, for a call already on its way in, by the interceptor.</li>
 *   <li>The server-wide token is cancelled softly with reason {@code SHUTDOWN} and the given grace
 *       (C8): handlers see it at once at their checks and callbacks, and may finish; when the grace
 *       has passed, the cancel turns hard and interrupts those still running. A handler stopped by it
 *       ends its call {@code UNAVAILABLE} ("the server is draining: ...").</li>
 *   <li>The drain waits for every call to end (the grace, then at most {@code hardBudget} more); then
 *       it stops the transport ({@link Server#shutdownNow()}) and returns a {@link DrainReport} with
 *       each call's outcome, including any handler still running.</li>
 * </ol>
 *
 * <p>Thread-safe. {@link #close()} drains with no grace if no drain has run.
 */
public final class GrpcServer implements AutoCloseable {
    private final Server server;
    private final CancellationSource root;
    private final CallLedger ledger;
    private final ExecutorService executor;
    private final Object drainLock = new Object();
    /** Guarded by {@link #drainLock}: the report of the drain, once one has run. */
    private DrainReport report;

    private GrpcServer(Server server, CancellationSource root, CallLedger ledger, ExecutorService executor) {
        this.server = server;
        this.root = root;
        this.ledger = ledger;
        this.executor = executor;
    }

    /**
     * Builds and starts a server from {@code builder}: its executor becomes one virtual thread per task
     * and every service is intercepted by a {@link CancellationServerInterceptor} under this server's
     * token. Add services to the builder first; do not set an executor of your own.
     *
     * @param builder a server builder with its services (Netty, in-process, ...)
     * @param options the maximum deadline and the transit allowance
     * @return the started server
     * @throws IOException when the server cannot start (e.g. the port is taken)
     */
    public static GrpcServer start(ServerBuilder<?> builder, GrpcServerOptions options) throws IOException {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(options, "options");
        CancellationSource root = CancellationSource.create();
        CallLedger ledger = new CallLedger();
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("grpc-call-", 0).factory());
        Server server = builder.executor(executor)
                .intercept(new CancellationServerInterceptor(root.token(), options, ledger))
                .build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            root.close();
            executor.shutdown();
            throw e;
        }
        return new GrpcServer(server, root, ledger, executor);
    }

    /**
     * Returns the port the server listens on, or -1 when it has none (in-process).
     *
     * @return the port, or -1
     */
    public int port() {
        return server.getPort();
    }

    /**
     * Returns the grpc-java server.
     *
     * @return the grpc-java server
     */
    public Server server() {
        return server;
    }

    /**
     * Returns the server-wide token, read-only: every call's token is its child.
     *
     * @return the server-wide token
     */
    public CancellationToken token() {
        return root.token();
    }

    /**
     * Returns how many calls are in flight: started and not yet ended (their handlers may still run).
     *
     * @return how many calls are in flight
     */
    public int inFlight() {
        return ledger.inFlight();
    }

    /**
     * Waits until no call is in flight: grpc-java ends a cancelled call (its {@code onCancel}) on a
     * thread of its own, which may come after the handler's thread has ended. For tests.
     *
     * @return true when none is, false when {@code timeout} passed first
     * @throws InterruptedException when interrupted
     */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        return ledger.awaitIdle(System.nanoTime() + timeout.toNanos());
    }

    /**
     * Drains the server: refuses new calls, soft-cancels the calls in flight with {@code grace}, turns
     * the cancel hard when the grace has passed, waits for the handlers (at most {@code hardBudget}
     * after the grace), stops the transport, and reports. A second drain returns the first's report.
     *
     * <p>An interrupt of the calling thread cuts the waiting short: the server is stopped at once,
     * the report says what was still running, and the interrupt status is kept.
     *
     * @param grace how long in-flight calls may take to finish on their own
     * @param hardBudget how long after the grace to wait for handlers stopped hard
     * @return each call's outcome
     */
    public DrainReport drain(Duration grace, Duration hardBudget) {
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(hardBudget, "hardBudget");
        if (grace.isNegative() || hardBudget.isNegative()) {
            throw new IllegalArgumentException("grace and hardBudget must not be negative, got " + grace + " and "
                    + hardBudget + "; use Duration.ZERO to stop calls at once");
        }
        synchronized (drainLock) {
            if (report != null) {
                return report;
            }
            long t0 = System.nanoTime();
            ledger.beginDrain(t0);
            server.shutdown();
            root.cancel(CancelReason.shutdown("server draining"), grace);
            long deadline = t0 + saturatedNanos(grace) + saturatedNanos(hardBudget);
            boolean idle = false;
            boolean interrupted = false;
            try {
                idle = ledger.awaitIdle(deadline)
                        && server.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true; // restored below, once the server is stopped and the report made
            }
            server.shutdownNow();
            root.close();
            executor.shutdown();
            report = new DrainReport(grace, Duration.ofNanos(System.nanoTime() - t0), ledger.outcomes(),
                    idle && server.isTerminated());
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return report;
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    /** Drains with no grace and a 5-second hard budget, unless a drain has already run. */
    @Override
    public void close() {
        drain(Duration.ZERO, Duration.ofSeconds(5));
    }
}
