package org.cancelkit.grpc;

import io.grpc.ServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.lifecycle.Application;
import org.cancelkit.lifecycle.Worker;
import org.jspecify.annotations.Nullable;

/**
 * A {@link GrpcServer} run as a {@code lifecycle} {@link Worker} (G4, L1): the application starts the
 * server with its other workers, and its shutdown drains it: new calls are refused
 * ({@code UNAVAILABLE}), calls in flight get the soft cancel and the worker's grace, then the hard
 * cancel, and the {@link DrainReport} lists each call's outcome.
 *
 * {@snippet :
 * GrpcServerWorker grpc = GrpcServerWorker.create("grpc", Duration.ofSeconds(5),
 *         NettyServerBuilder.forPort(8080).addService(new Greeter()), GrpcServerOptions.defaults());
 * Application.builder("greeter")
 *         .add(Worker.of("database", Duration.ofSeconds(2), Main::database))
 *         .add(grpc.worker())                 // started last, so drained first
 *         .build()
 *         .runAndExit();                      // SIGTERM: the gRPC server drains, then the database stops
 * // grpc.report(): every call that was in flight, and how it ended
 * }
 *
 * <h2>The shutdown</h2>
 * When the application soft-cancels the worker, the worker drains its server with the worker's grace
 * and {@code hardBudget} ({@link GrpcServer#drain}). The drain runs shielded (C6): the worker's own
 * hard cancel, which the application sends when the grace has passed, does not cut it short; the
 * drain's own hard cancel of the calls comes at the same time. Give the application a
 * {@linkplain Application.Builder#hardStopWait hard-stop wait} of at least {@code hardBudget}, or it
 * reports the worker abandoned while the drain still waits for handlers that ignore interrupts.
 *
 * <p>Thread-safe. One handle serves one application run: its worker starts the server once.
 */
public final class GrpcServerWorker {
    /** The hard budget of {@link #create(String, Duration, ServerBuilder, GrpcServerOptions)}: one second. */
    public static final Duration DEFAULT_HARD_BUDGET = Duration.ofSeconds(1);

    private final Worker worker;
    private final Duration grace;
    private final Duration hardBudget;
    private final ServerBuilder<?> builder;
    private final GrpcServerOptions options;
    private final AtomicBoolean used = new AtomicBoolean();
    private final CountDownLatch started = new CountDownLatch(1);
    /** Written once by the worker's thread before {@link #started} opens; read by anyone after. */
    private volatile @Nullable GrpcServer server;
    /** Written once by the worker's thread when the drain ends. */
    private volatile @Nullable DrainReport report;

    private GrpcServerWorker(String name, Duration grace, Duration hardBudget, ServerBuilder<?> builder,
                             GrpcServerOptions options) {
        this.grace = grace;
        this.hardBudget = hardBudget;
        this.builder = builder;
        this.options = options;
        this.worker = Worker.of(name, grace, this::serve);
    }

    /**
     * Returns a handle whose worker serves {@code builder}'s services, with a
     * {@linkplain #DEFAULT_HARD_BUDGET one-second} hard budget.
     *
     * @param name the worker's name
     * @param grace how long calls in flight may take to finish after the soft cancel; the worker's grace
     * @param builder a server builder with its services; do not set an executor
     * @param options the maximum deadline and the transit allowance
     * @return the handle
     */
    public static GrpcServerWorker create(String name, Duration grace, ServerBuilder<?> builder,
                                          GrpcServerOptions options) {
        return create(name, grace, DEFAULT_HARD_BUDGET, builder, options);
    }

    /**
     * Returns a handle whose worker serves {@code builder}'s services.
     *
     * @param name the worker's name
     * @param grace how long calls in flight may take to finish after the soft cancel; the worker's grace
     * @param hardBudget how long after the grace the drain waits for handlers stopped hard
     * @param builder a server builder with its services; do not set an executor
     * @param options the maximum deadline and the transit allowance
     * @return the handle
     */
    public static GrpcServerWorker create(String name, Duration grace, Duration hardBudget, ServerBuilder<?> builder,
                                          GrpcServerOptions options) {
        Objects.requireNonNull(hardBudget, "hardBudget");
        if (hardBudget.isNegative()) {
            throw new IllegalArgumentException("hardBudget must not be negative, got " + hardBudget
                    + "; use Duration.ZERO to stop waiting for handlers as soon as the grace has passed");
        }
        return new GrpcServerWorker(name, grace, hardBudget, Objects.requireNonNull(builder, "builder"),
                Objects.requireNonNull(options, "options"));
    }

    /**
     * Returns the worker to add to an {@link Application}.
     *
     * @return the worker
     */
    public Worker worker() {
        return worker;
    }

    /**
     * Waits until the worker has started the server, and returns it (for its port, its token, ...).
     *
     * @return the running server
     * @throws InterruptedException when interrupted while waiting
     */
    public GrpcServer awaitStarted() throws InterruptedException {
        started.await();
        GrpcServer s = server;
        if (s == null) {
            throw new IllegalStateException("the worker ended without starting its server; see the application's report");
        }
        return s;
    }

    /**
     * Returns the drain's report, once the worker has drained its server.
     *
     * @return the report, or empty before the drain has ended
     */
    public Optional<DrainReport> report() {
        return Optional.ofNullable(report);
    }

    private void serve(CancellationToken token) throws Exception {
        if (!used.compareAndSet(false, true)) {
            throw new IllegalStateException("this GrpcServerWorker has run already; create one per application run");
        }
        GrpcServer s;
        try {
            s = GrpcServer.start(builder, options);
        } catch (IOException | RuntimeException | Error e) {
            started.countDown(); // awaitStarted then says the start failed
            throw e;
        }
        server = s;
        started.countDown();
        try {
            token.awaitCancellation();
        } catch (CancelledException e) {
            // The application's shutdown: drain below, then return (a clean stop).
        } finally {
            // Shielded: the worker's hard cancel at the end of its grace must not cut the drain short;
            // the drain hard-cancels the calls itself at the same moment and bounds its own wait.
            report = Cancellation.shielded(grace.plus(hardBudget).plusSeconds(1), () -> s.drain(grace, hardBudget));
        }
    }
}
