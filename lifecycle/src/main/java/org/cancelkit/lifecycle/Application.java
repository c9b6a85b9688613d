package org.cancelkit.lifecycle;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.cancelkit.lifecycle.internal.Signals;
import org.jspecify.annotations.Nullable;

/**
 * An application as a tree of workers that shuts down gracefully (L1), on Ctrl+C (SIGINT), SIGTERM or
 * a call to {@link #shutdown(String)}.
 *
 * {@snippet :
 * public static void main(String[] args) {
 *     Application.builder("orders")
 *             .add(Worker.of("database", Duration.ofSeconds(2), Main::database))
 *             .add(WorkerGroup.of("ingest",
 *                     Worker.of("reader", Duration.ofSeconds(1), Main::read),
 *                     Worker.of("parser", Duration.ofSeconds(1), Main::parse)))
 *             .add(Worker.of("http", Duration.ofSeconds(5), Main::serve))
 *             .budget(Duration.ofSeconds(15))
 *             .build()
 *             .runAndExit();   // SIGTERM/SIGINT: http, then ingest/parser, ingest/reader, then database
 * }
 * }
 *
 * <h2>Starting</h2>
 * {@link #start()} starts each worker on its own virtual thread, depth first in the order added,
 * bound to a child of its group's token (a group's token is a child of its parent's, the top's of
 * the application's token). Start returns at once; a worker whose body returns early just ends.
 *
 * <h2>Shutting down</h2>
 * A shutdown starts on the first of: a signal ({@link #handleSignals()}), {@link #shutdown(String)},
 * or a worker failing under {@link FailurePolicy#SHUT_DOWN}. It runs once, on its own platform thread
 * (and sends each cancel from a platform thread), so it makes progress even while the workers keep
 * every carrier thread of the virtual-thread scheduler busy (see "Pitfalls"):
 * <ol>
 *   <li>Workers stop one at a time: among siblings highest {@linkplain Component#phase() phase}
 *       first, and within a phase the last started first; a group stops all its members before the
 *       next sibling.</li>
 *   <li>Each is soft-cancelled with its {@linkplain Worker#grace() grace}: its checks, waits and
 *       callbacks see the cancel at once and nothing is interrupted. A worker that ends within its
 *       grace is {@link WorkerOutcome#STOPPED_IN_GRACE} and was never interrupted.</li>
 *   <li>One still running when its grace has passed is cancelled hard (interrupted at its blocking
 *       calls) and given the {@linkplain Builder#hardStopWait(Duration) hard-stop wait}; one still
 *       running then is {@link WorkerOutcome#ABANDONED}: reported with its stack, left running, and
 *       never waited on again.</li>
 *   <li>The whole sequence is bounded by the {@linkplain Builder#budget(Duration) budget}: graces
 *       and waits are cut short at its end, and workers whose turn comes after it are cancelled hard
 *       and reported as they are (still running: abandoned).</li>
 *   <li>A signal during the shutdown (the second one), or {@link #shutdownNow(String)}, escalates:
 *       every worker not yet stopped is
 *       cancelled hard at once, and they share one hard-stop wait.</li>
 * </ol>
 * The {@link ShutdownReport} says how each worker ended and how long it took, in stop order.
 *
 * <h2>Signals</h2>
 * {@link #handleSignals()} handles SIGTERM and SIGINT with {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}, which this module requires): the JDK has no supported API to <em>handle</em>
 * a signal instead of exiting, and a shutdown hook runs only once the JVM has decided to exit, cannot
 * tell a first signal from a second, and cannot choose the exit code. Where the JVM keeps the signals
 * to itself, {@code Signal.handle} refuses them and a shutdown hook is installed instead; it runs the
 * graceful shutdown, within the budget, when the JVM exits for another reason ({@code System.exit}
 * elsewhere). Under {@code -Xrs} the JVM installs no handler at all: SIGTERM then ends the process at
 * once, without hooks (exit 143, no report), and nothing in Java can change that (a child-JVM test
 * shows it).
 * {@link #signalHandling()} says which one is in place.
 *
 * <h2>Pitfalls</h2>
 * A virtual thread is never preempted: workers that compute without blocking, as many as the
 * scheduler has carriers ({@code jdk.virtualThreadScheduler.parallelism}, the core count by default),
 * leave no carrier for any other virtual thread. The shutdown does not need one. A worker that never
 * checks its token is {@link WorkerOutcome#ABANDONED} (with its stack); so is a well-behaved worker
 * that could not get a carrier to finish on. A CPU-bound loop checks {@code token.isCancelled()}, and
 * calls {@code Thread.yield()} now and then if other virtual threads must keep running alongside it.
 * Wait for the report ({@link #run()}, {@link #runAndExit()}, {@link #awaitTermination()}) on a
 * platform thread, such as {@code main}.
 *
 * <h2>Failures</h2>
 * A worker whose body throws something other than its cancellation while the application runs shuts
 * the application down (reason: that worker and its failure), unless the policy is
 * {@link FailurePolicy#KEEP_RUNNING}; either way the failure is in the report, and the exit code is
 * {@link ShutdownReport#EXIT_FAILED}.
 *
 * <p>Thread-safe: any thread may request a shutdown, any number of times. Memory consistency: a
 * worker's actions happen-before the report that describes its end is returned.
 */
public final class Application {
    /** What an application is doing. */
    public enum State {
        /** Built, not started. */
        NEW,
        /** Workers started; no shutdown yet. */
        RUNNING,
        /** The shutdown sequence runs. */
        STOPPING,
        /** The shutdown has ended; the report is ready. */
        TERMINATED
    }

    private final String name;
    /** The states, the shutdown and the report. */
    private final ApplicationRun control;
    /** Guarded by this. */
    private @Nullable String signalHandling;

    private Application(Builder b) {
        this.name = b.name;
        this.control = new ApplicationRun(b.name, b.components, b.budget, b.hardStopWait, b.failurePolicy);
    }

    /**
     * Starts building an application.
     *
     * @param name its name, for the report
     * @return a builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Returns the application's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns what the application is doing.
     *
     * @return the state
     */
    public State state() {
        return control.state();
    }

    /**
     * Starts every worker, in order. Does nothing when a shutdown came before the start.
     *
     * @return this application
     * @throws IllegalStateException when it was already started
     */
    public Application start() {
        control.start();
        return this;
    }

    /**
     * Starts a graceful shutdown, unless one has started already.
     *
     * @param reason why, for the report and the workers' cancel reason
     * @return true when this call started it
     * @throws IllegalStateException when the application was not started
     */
    public boolean shutdown(String reason) {
        return control.shutdown(Objects.requireNonNull(reason, "reason"));
    }

    /**
     * Escalates: every worker not yet stopped is cancelled hard at once (starting the shutdown first
     * when none has started).
     *
     * @param reason why, for the report
     * @return true when this call escalated
     * @throws IllegalStateException when the application was not started
     */
    public boolean shutdownNow(String reason) {
        return control.shutdownNow(Objects.requireNonNull(reason, "reason"));
    }

    /**
     * What a signal handler calls: a signal starts a graceful shutdown; one that comes while a
     * shutdown runs (the second signal, or the first during a requested or failure shutdown)
     * escalates it; later ones are ignored (the budget bounds the shutdown anyway). Before the start,
     * a signal ends the application with an empty report.
     *
     * @param signal the signal's name, e.g. {@code "SIGTERM"}
     */
    public void signal(String signal) {
        control.signal(Objects.requireNonNull(signal, "signal"));
    }

    /**
     * Handles SIGTERM and SIGINT with {@link #signal(String)}, or falls back to a shutdown hook (see
     * "Signals" above). Idempotent.
     *
     * @return this application
     */
    public synchronized Application handleSignals() {
        if (signalHandling == null) {
            signalHandling = Signals.install(this, this::awaitTerminationForHook);
        }
        return this;
    }

    /**
     * Returns how signals are handled: {@code "signals"}, {@code "shutdown hook"}, or empty before
     * {@link #handleSignals()}.
     *
     * @return how signals are handled
     */
    public synchronized Optional<String> signalHandling() {
        return Optional.ofNullable(signalHandling);
    }

    /**
     * Waits for the shutdown to end (it must be started by someone: a signal, a request, a failure).
     * A cancelkit wait: on a virtual clock, the thread counts as parked.
     *
     * @return the report
     * @throws InterruptedException when interrupted while waiting; the shutdown goes on
     */
    public ShutdownReport awaitTermination() throws InterruptedException {
        return control.awaitTermination();
    }

    /**
     * Returns the report, once the shutdown has ended.
     *
     * @return the report, or empty before
     */
    public Optional<ShutdownReport> report() {
        return control.report();
    }

    /**
     * Starts the application (unless started) and waits until it has shut down. Only a shutdown ends
     * it (a signal, {@link #shutdown}, {@link #shutdownNow}, or a worker's failure under
     * {@link FailurePolicy#SHUT_DOWN}): workers that all end on their own leave it waiting, as a service
     * would. A batch that should end with its work calls {@link #shutdown} when it is done.
     *
     * @return the report
     * @throws InterruptedException when interrupted while waiting; the shutdown goes on
     */
    public ShutdownReport run() throws InterruptedException {
        control.startIfNew();
        return awaitTermination();
    }

    /**
     * For a {@code main}: handles signals, runs, prints the report to standard error and exits with
     * {@link ShutdownReport#exitCode()}. An interrupt of the waiting thread escalates the shutdown.
     */
    public void runAndExit() {
        handleSignals();
        ShutdownReport r = runThroughInterrupts();
        PrintStream err = System.err;
        err.print(r.format());
        err.flush();
        System.exit(r.exitCode());
    }

    private ShutdownReport runThroughInterrupts() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return run();
                } catch (InterruptedException e) {
                    // The waiting main thread was interrupted: hurry the shutdown up, and keep waiting
                    // (the budget bounds it); the flag is restored before returning.
                    interrupted = true;
                    shutdownNow("the main thread was interrupted");
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** For the shutdown-hook fallback: start the shutdown and wait for it, within the budget. */
    private void awaitTerminationForHook() {
        if (control.jvmShutdown()) {
            runThroughInterrupts();
        }
    }

    /**
     * Builds an {@link Application}. Not thread-safe.
     */
    public static final class Builder {
        private final String name;
        private final List<Component> components = new ArrayList<>();
        private Duration budget = Duration.ofSeconds(30);
        private Duration hardStopWait = Duration.ofSeconds(1);
        private FailurePolicy failurePolicy = FailurePolicy.SHUT_DOWN;

        private Builder(String name) {
            this.name = Names.requireName(name, "application");
        }

        /**
         * Adds workers or groups at the top, to start after those added before.
         *
         * @param components what to add
         * @return this builder
         */
        public Builder add(Component... components) {
            for (Component c : components) {
                this.components.add(Objects.requireNonNull(c, "component"));
            }
            return this;
        }

        /**
         * Sets the total budget of the shutdown: 30 seconds unless set.
         *
         * @param budget not negative
         * @return this builder
         */
        public Builder budget(Duration budget) {
            this.budget = Names.requireDuration(budget, "budget");
            return this;
        }

        /**
         * Sets how long a worker may take to end after its hard cancel before it is abandoned: one
         * second unless set.
         *
         * @param wait not negative
         * @return this builder
         */
        public Builder hardStopWait(Duration wait) {
            this.hardStopWait = Names.requireDuration(wait, "hardStopWait");
            return this;
        }

        /**
         * Sets what a worker's failure does: {@link FailurePolicy#SHUT_DOWN} unless set.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder onFailure(FailurePolicy policy) {
            this.failurePolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Builds the application, on the clock current here (a {@code VirtualClock} in tests).
         *
         * @return the application, not started
         * @throws IllegalArgumentException when two top-level components share a name
         */
        public Application build() {
            WorkerGroup.requireUniqueNames(components, "application '" + name + "'");
            return new Application(this);
        }
    }
}
