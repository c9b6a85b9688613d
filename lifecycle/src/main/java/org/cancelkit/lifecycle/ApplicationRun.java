package org.cancelkit.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.lifecycle.Application.State;
import org.cancelkit.lifecycle.internal.Shutdown;
import org.cancelkit.lifecycle.internal.Tree;
import org.cancelkit.lifecycle.internal.WorkerRun;
import org.jspecify.annotations.Nullable;

/**
 * The state machine behind an {@link Application}: {@link State#NEW} to {@link State#RUNNING} (the
 * workers' tree started) to {@link State#STOPPING} (the shutdown thread started, once, by whichever
 * request, signal or failure came first) to {@link State#TERMINATED} (the report written), with at most
 * one escalation on the way. Every transition happens under this object's lock; the hard cancel of an
 * escalation is sent outside it, because it interrupts workers and runs their {@code onCancel}
 * callbacks on the calling thread.
 */
final class ApplicationRun {
    private final String name;
    private final List<Component> components;
    private final Duration budget;
    private final Duration hardStopWait;
    private final FailurePolicy failurePolicy;
    /** Cancelled once the report is ready; created by the constructor, on the clock current there. */
    private final CancellationSource terminated;
    /** The application's token: every worker's is a descendant. Created by the constructor, on the clock current there. */
    private final CancellationSource token;
    /** Guarded by this. */
    private State state = State.NEW;
    /** Guarded by this; written once by {@link #start()}. */
    private @Nullable Tree tree;
    /** Guarded by this; written once when the shutdown starts. */
    private @Nullable Shutdown shutdown;
    /** Guarded by this; written once when the shutdown starts. */
    private @Nullable Thread shutdownThread;
    /** Guarded by this. */
    private @Nullable String escalationReason;
    /** Written once by the shutdown thread before {@link #terminated} is cancelled. */
    private volatile @Nullable ShutdownReport report;

    ApplicationRun(String name, List<Component> components, Duration budget, Duration hardStopWait,
            FailurePolicy failurePolicy) {
        this.name = name;
        this.components = List.copyOf(components);
        this.budget = budget;
        this.hardStopWait = hardStopWait;
        this.failurePolicy = failurePolicy;
        this.token = CancellationSource.create();
        this.terminated = CancellationSource.create();
    }

    synchronized State state() {
        return state;
    }

    /** {@link Application#start()}. */
    synchronized void start() {
        if (state == State.TERMINATED && tree == null) {
            return; // a signal came first: nothing to start, the report says so
        }
        if (state != State.NEW) {
            throw new IllegalStateException("application '" + name + "' was already started (it is " + state
                    + "); build a new one to start again");
        }
        Tree t = new Tree(token, components, this::workerEnded);
        tree = t;
        state = State.RUNNING;
        t.start();
    }

    /** Starts the workers unless they were started (or a signal came first). */
    synchronized void startIfNew() {
        if (state == State.NEW) {
            start();
        }
    }

    /** {@link Application#shutdown(String)}. */
    synchronized boolean shutdown(String reason) {
        requireStarted();
        return begin(reason);
    }

    /** {@link Application#shutdownNow(String)}. */
    boolean shutdownNow(String reason) {
        synchronized (this) {
            requireStarted();
            // Escalated before the shutdown thread starts, so it stops no worker softly first.
            if (!begin(reason, reason) && !escalate(reason)) {
                return false;
            }
        }
        hardCancelAll(reason);
        return true;
    }

    /** {@link Application#signal(String)}. */
    void signal(String signal) {
        String escalation = signal + " during the shutdown";
        synchronized (this) {
            if (state == State.NEW) {
                state = State.TERMINATED;
                finish(new ShutdownReport(name, signal + " before the start", Optional.empty(), budget, Duration.ZERO,
                        List.of()));
                return;
            }
            if (shutdown == null) {
                begin(signal);
                return;
            }
            if (!escalate(escalation)) {
                return; // already escalated (or over): later signals are ignored
            }
        }
        hardCancelAll(escalation);
    }

    /**
     * For the shutdown-hook fallback: ends an application not started, else starts its shutdown.
     *
     * @return true when there is a shutdown to wait for, false when the application was not started
     */
    synchronized boolean jvmShutdown() {
        if (state == State.NEW) {
            signal("JVM shutdown");
            return false;
        }
        begin("JVM shutdown");
        return true;
    }

    /** {@link Application#awaitTermination()}. */
    ShutdownReport awaitTermination() throws InterruptedException {
        terminated.awaitCancellation();
        Thread t;
        synchronized (this) {
            t = shutdownThread;
        }
        if (t != null && t != Thread.currentThread()) {
            t.join(); // it has written the report; once this returns it has ended too
        }
        return Objects.requireNonNull(report);
    }

    Optional<ShutdownReport> report() {
        return Optional.ofNullable(report);
    }

    /** Guarded by this. */
    private void requireStarted() {
        if (state == State.NEW) {
            throw new IllegalStateException("application '" + name + "' has not been started; call start() first");
        }
    }

    /**
     * The hard cancel of an escalation, sent outside the lock: it interrupts workers and runs their
     * {@code onCancel} callbacks on this thread, which must not run while holding the lock.
     */
    private void hardCancelAll(String reason) {
        token.cancel(CancelReason.shutdown(reason)); // hard: every worker not yet ended, at once
    }

    /** Guarded by this. Starts the shutdown thread once. */
    private boolean begin(String reason) {
        return begin(reason, null);
    }

    /** Guarded by this. Starts the shutdown thread once, escalated first when {@code escalateNow} is given. */
    private boolean begin(String reason, @Nullable String escalateNow) {
        if (shutdown != null || state != State.RUNNING) {
            return false;
        }
        Tree t = Objects.requireNonNull(tree);
        Shutdown s = new Shutdown(t, name, reason, budget, hardStopWait, this::escalation,
                () -> shutdownNow("the shutdown thread was interrupted"));
        shutdown = s;
        state = State.STOPPING;
        if (escalateNow != null) {
            escalate(escalateNow);
        }
        shutdownThread = t.startShutdownThread("shutdown-" + name, () -> finish(s.run()));
        return true;
    }

    /**
     * Guarded by this. Rule 3 of the sequence: records the escalation (its time first) and wakes the
     * sequence; the caller then sends the hard cancel with {@link #hardCancelAll}, outside the lock.
     */
    private boolean escalate(String reason) {
        Shutdown s = shutdown;
        if (escalationReason != null || s == null || state != State.STOPPING) {
            return false;
        }
        escalationReason = reason;
        s.escalated();
        return true;
    }

    private synchronized Optional<String> escalation() {
        return Optional.ofNullable(escalationReason);
    }

    private void finish(ShutdownReport r) {
        report = r;
        synchronized (this) {
            state = State.TERMINATED;
        }
        terminated.cancel("terminated");
    }

    /** On a worker's thread, once its body has ended. */
    private void workerEnded(WorkerRun run) {
        Throwable f = run.failure();
        if (f != null && failurePolicy == FailurePolicy.SHUT_DOWN) {
            synchronized (this) {
                begin("worker '" + run.path() + "' failed: " + f);
            }
        }
    }
}
