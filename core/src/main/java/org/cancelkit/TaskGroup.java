package org.cancelkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Structured concurrency on virtual threads. Every task
 * forked into a group has ended when {@link #join()} or {@link #close()} returns (C1).
 *
 * {@snippet :
 * try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
 *     group.fork("fast", () -> Cancellation.sleep(Duration.ofMillis(100)));
 *     group.fork("slow", () -> Cancellation.sleep(Duration.ofSeconds(10)));
 *     Cancellation.sleep(Duration.ofMillis(200));
 *     group.cancelAll("enough");
 *     TaskReport report = group.join();
 *     report.completed();   // [fast]
 *     report.cancelled();   // [slow]
 * }
 * }
 *
 * <h2>Tasks</h2>
 * {@link #fork} starts a virtual thread that runs the body bound to a child of the group's token,
 * which is itself a child of the token current where the group was opened: a task inherits the
 * caller's cancellation, deadline and clock (a test clock, {@code VirtualClock}, bound at the opening drives the
 * tasks' waits too, and they count as its participants). Other {@link ScopedValue} bindings are not
 * inherited: only the JDK's preview {@code StructuredTaskScope} can carry them.
 *
 * <h2>Policy</h2>
 * A {@link CompletionPolicy} decides when the rest are cancelled and what {@code join} makes of the
 * results: {@linkplain CompletionPolicy#failFast() fail-fast} (the default),
 * {@linkplain CompletionPolicy#supervise() supervise}, {@linkplain CompletionPolicy#firstSuccess()
 * first success}, or your own.
 *
 * <h2>Owner</h2>
 * The thread that opened the group owns it: only it may fork, join and close. Join once, then close
 * (try-with-resources does). Misuse is an {@link IllegalStateException} that says what to do.
 *
 * <h2>Closing</h2>
 * {@link #close()} cancels what is left and waits for every task, however long a task ignores the
 * cancel; it keeps waiting through interrupts and restores the owner's interrupt status afterwards.
 * {@link #close(Duration)} waits at most a grace period and returns a report naming each task that
 * ignored the cancel longer, with its stack, as {@link TaskOutcome#ABANDONED}: for shutdown paths
 * that must end on time. An abandoned task's thread is still running.
 *
 * <p>Memory consistency: actions of a task happen-before {@code join}/{@code close} returns.
 */
public final class TaskGroup implements AutoCloseable {
    private enum State { OPEN, JOINED, CLOSED }

    /** The results, the policy's decisions and the report ({@link TaskLedger}). */
    private final TaskLedger ledger;
    private final Node token;
    private final MonotonicClock clock;
    private final Thread owner = Thread.currentThread();
    /** The tasks not yet forgotten. */
    private final TaskRuns runs = new TaskRuns();
    /** Owner only: forks so far, for the fork order of the report. */
    private long forks;
    /** Owner only. */
    private State state = State.OPEN;
    /** Owner only: join() was called (CLOSED alone does not say whether it was). */
    private boolean joinCalled;

    private TaskGroup(CompletionPolicy policy, int history) {
        this.ledger = new TaskLedger(policy, history);
        this.clock = Binding.currentClock();
        this.token = Binding.currentToken().newChild(Scope.NONE);
    }

    /**
     * Opens a fail-fast group owned by this thread.
     *
     * @return the group
     */
    public static TaskGroup open() {
        return open(CompletionPolicy.failFast());
    }

    /**
     * Opens a group owned by this thread.
     *
     * @param policy when to cancel the rest, and what join makes of the results
     * @return the group
     */
    public static TaskGroup open(CompletionPolicy policy) {
        return new TaskGroup(Objects.requireNonNull(policy, "policy"), Integer.MAX_VALUE);
    }

    /**
     * Opens a group owned by this thread that keeps only the results of the {@code history} tasks that
     * ended last (and the first failure), for a group that accepts work for a long time: a server's
     * supervise group. A task's thread, body and token are let go as soon as the owner next forks,
     * joins or closes after it ended, whatever the history; with {@code history} zero the group keeps
     * nothing of an ended task but its first failure. The report of {@link #join()} and
     * {@link #close(Duration)} then lists the kept results and the tasks still running; a
     * {@link CompletionPolicy} sees the kept results as {@code endedSoFar}.
     *
     * @param policy when to cancel the rest, and what join makes of the results
     * @param history how many ended tasks' results to keep; not negative
     * @return the group
     */
    public static TaskGroup open(CompletionPolicy policy, int history) {
        Objects.requireNonNull(policy, "policy");
        if (history < 0) {
            throw new IllegalArgumentException("history must not be negative, was " + history
                    + "; pass 0 to keep no results, Integer.MAX_VALUE to keep them all");
        }
        return new TaskGroup(policy, history);
    }

    /**
     * Returns the group's token: a child of the token current at the opening; each task's is its child.
     *
     * @return the token
     */
    public CancellationToken token() {
        return token.token();
    }

    Node node() {
        return token;
    }

    MonotonicClock clock() {
        return clock;
    }

    /**
     * Starts a task.
     *
     * @param name the task's name, for the report and the thread's name
     * @param body the work
     * @param <T> its value
     * @return a handle on the task
     * @throws IllegalStateException when called by another thread than the owner, or after join or close
     */
    public <T> Task<T> fork(String name, CheckedCallable<? extends T, ?> body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        requireOwner("fork");
        if (state != State.OPEN) {
            throw new IllegalStateException("cannot fork '" + name + "': the group was already "
                    + (state == State.JOINED ? "joined" : "closed") + "; fork every task before join(), or open a new group");
        }
        if (runs.reap()) {
            Thread.currentThread().interrupt(); // reaping waited through the caller's interrupt: kept for it
        }
        TaskRun<T> run = new TaskRun<>(this, name, body, forks++);
        runs.add(run);
        clock.participants(1); // counted before the thread runs
        if (run.token.isCancelled()) {
            run.end(run.result(TaskOutcome.CANCELLED_BEFORE_START, clock.nanoTime(), null, null));
            return run.handle;
        }
        run.thread = Thread.ofVirtual().name(name).unstarted(run::run);
        run.thread.start();
        return run.handle;
    }

    /**
     * Starts a task that returns nothing.
     *
     * @param name the task's name
     * @param body the work
     * @return a handle on the task
     * @throws IllegalStateException when called by another thread than the owner, or after join or close
     */
    public Task<Void> fork(String name, CheckedRunnable<?> body) {
        Objects.requireNonNull(body, "body");
        return fork(name, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Cancels every task that has not ended. Any thread may call it.
     *
     * @param message why
     */
    public void cancelAll(String message) {
        token.cancel(CancelReason.requested(message));
    }

    /**
     * Cancels every task that has not ended. Any thread may call it.
     *
     * @param reason why
     */
    public void cancelAll(CancelReason reason) {
        token.cancel(reason);
    }

    /** Called on a task's thread when it has ended: the ledger consults the policy; this cancels the rest if it says so. */
    void taskEnded(TaskRun<?> run, TaskResult r) {
        CancelReason cancelRest = ledger.taskEnded(run.seq, r);
        if (cancelRest != null) {
            token.cancel(cancelRest);
        }
    }

    /** For tests: the group's ledger, whose monitor guards the results. */
    TaskLedger ledger() {
        return ledger;
    }

    /**
     * Waits for every task to end, then lets the policy judge. A cancelkit wait: an auto-advancing
     * virtual clock keeps moving. A cancel of the owner's token reaches the tasks (their tokens are
     * descendants) and join still waits for them to end.
     *
     * @return every task's result
     * @throws InterruptedException when the owner was interrupted (by someone other than cancelkit)
     *     while waiting; the group was then cancelled and its tasks have ended
     * @throws CancelledException when the token current where the group was opened was cancelled: the
     *     tasks were cancelled with it and have ended
     * @throws TaskFailedException when the policy fails the join (fail-fast: a task failed)
     * @throws IllegalStateException when called by another thread than the owner, twice, or after close;
     *     or when the policy's {@code onTaskEnded} threw (the group was then cancelled; the cause is what it threw)
     */
    public TaskReport join() throws InterruptedException {
        requireOwner("join");
        if (state != State.OPEN) {
            throw new IllegalStateException(joinCalled
                    ? "join() was already called" + (state == State.CLOSED ? " and the group closed" : "") + "; a group is joined once"
                    : "the group was already closed without join(); join() before close(), or read the report of close(grace)");
        }
        joinCalled = true;
        boolean interrupted = awaitAll();
        state = State.JOINED;
        TaskReport report = ledger.report();
        // join is a cancellation point: when the cancel came from outside the group (the token current
        // where it was opened), the caller unwinds once every task has ended (C1) instead of carrying
        // on with a report of cancelled tasks; a timeout around the group then fails as it should.
        Node opener = token.parent;
        if (opener != null) {
            opener.throwIfCancelled();
        }
        if (interrupted) {
            throw new InterruptedException("interrupted while joining; the group was cancelled and every task has ended");
        }
        ledger.judge(report);
        return report;
    }

    /**
     * Cancels what is left and waits for every task to end (C1).
     *
     * @throws IllegalStateException when the group was not joined (after cleaning up), or when called
     *     by another thread than the owner
     */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        requireOwner("close");
        boolean joined = state == State.JOINED;
        token.close();
        boolean interrupted = awaitAll();
        state = State.CLOSED;
        if (interrupted) {
            Thread.currentThread().interrupt(); // kept waiting through it (C1); restored for the caller
        }
        if (!joined) {
            throw new IllegalStateException("task group closed without join(): its " + forks
                    + " tasks were cancelled and have ended; call join() before close() to see their results");
        }
    }

    /**
     * Cancels what is left and waits at most {@code grace} on the group's clock; a task still running
     * then is reported {@link TaskOutcome#ABANDONED}, with its stack, and left running.
     *
     * @param grace how long tasks may take to honour the cancel
     * @return every task's result, stragglers included
     */
    public TaskReport close(Duration grace) {
        Durations.requireTimeout(grace, "grace");
        requireOwner("close");
        if (state == State.CLOSED) {
            return ledger.report();
        }
        token.close();
        long deadline = Durations.deadlineAfter(clock.nanoTime(), Durations.toNanosSaturated(grace));
        boolean interrupted = false;
        try (Node limit = Node.root(clock, deadline)) {
            interrupted |= runs.awaitEnded(limit, clock);
            for (TaskRun<?> run : runs.snapshot()) {
                if (!run.ended) {
                    ledger.abandon(run.seq, run.abandoned());
                } else if (run.thread != null) {
                    interrupted |= Waits.joinThread(run.thread);
                }
            }
        }
        state = State.CLOSED;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        TaskReport r = ledger.report();
        runs.clear();
        return r;
    }

    /** For tests: how many forked tasks the owner has not reaped yet. */
    int liveCountForTesting() {
        return runs.liveCount();
    }

    /** For tests: how many tasks have ended and wait to be reaped. */
    int endingCountForTesting() {
        return runs.endingCount();
    }

    /** Called on a task's thread at its very end: the owner reaps it at its next fork, join or close. */
    void ended(TaskRun<?> run) {
        runs.ended(run);
    }

    private boolean awaitAll() {
        return runs.awaitAll(token, clock);
    }

    private void requireOwner(String what) {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(what + "() must be called by the thread that opened the group ("
                    + owner + "), not " + Thread.currentThread() + "; open a group in the task that forks");
        }
    }

    /**
     * Runs every body as a task; the first to end (value or failure) wins, the others are cancelled
     * and have ended when this returns, like tokio's {@code select!}.
     *
     * @param bodies the contenders; at least one
     * @param <T> their value
     * @return the winner's value
     * @throws TaskFailedException when the first to end failed (its exception is the cause)
     * @throws CancelledException when the race itself was cancelled before any contender ended
     * @throws InterruptedException when the caller was interrupted (by someone other than cancelkit)
     */
    @SafeVarargs
    public static <T> T race(CheckedCallable<? extends T, ?>... bodies) throws InterruptedException {
        List<CheckedCallable<? extends T, ?>> list = new ArrayList<>(bodies.length);
        for (CheckedCallable<? extends T, ?> b : bodies) {
            list.add(b);
        }
        return Races.race(list);
    }

    /**
     * Runs every body as a task; the first to end wins; see {@link #race(CheckedCallable[])}.
     *
     * @param bodies the contenders; at least one
     * @param <T> their value
     * @return the winner's value
     * @throws TaskFailedException when the first to end failed
     * @throws CancelledException when the race itself was cancelled before any contender ended
     * @throws InterruptedException when the caller was interrupted (by someone other than cancelkit)
     */
    public static <T> T race(List<? extends CheckedCallable<? extends T, ?>> bodies) throws InterruptedException {
        return Races.race(bodies);
    }
}
