package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * C9: inside a cancel-action region no interrupt reaches the thread; on cancellation the region's action
 * runs exactly once, its escalation only if the body is still inside when the grace has passed; the
 * region is not left while the action runs; leaving on a cancelled token surfaces
 * {@link CancelledException}.
 *
 * <p>The resource is a fake JDBC statement whose only way out is its own {@link Statement#cancel()}
 * (like {@code Statement.cancel()}, a no-op when nothing runs) or {@link Statement#abort()} (like
 * {@code Connection.abort}); it remembers any interrupt it sees, so the tests can assert there was none.
 */
@org.junit.jupiter.api.Timeout(60)
class C9CancelActionRegionTest {

    /** Thrown by {@link Statement#execute()} when the statement was cancelled while running. */
    static final class QueryCancelledException extends Exception {
        private static final long serialVersionUID = 1L;

        QueryCancelledException(String message) {
            super(message);
        }
    }

    /**
     * A statement that runs until cancelled, aborted or completed. Interrupts do not stop it: it
     * remembers them and restores the flag when it returns.
     */
    static final class Statement {
        private boolean running;
        private boolean cancelRequested;
        private boolean aborted;
        private boolean completed;
        private int executions;
        private int cancels;
        private int effectiveCancels;
        private boolean interruptedInside;
        private final boolean ignoresCancel;

        Statement() {
            this(false);
        }

        /** @param ignoresCancel true for a statement that only {@link #abort()} stops */
        Statement(boolean ignoresCancel) {
            this.ignoresCancel = ignoresCancel;
        }

        String execute() throws QueryCancelledException {
            boolean interrupted = false;
            try {
                synchronized (this) {
                    executions++;
                    running = true;
                    cancelRequested = false;
                    notifyAll();
                    while (!cancelRequested && !aborted && !completed) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            // What a driver does wrong, on purpose: it carries on. Remembered here and
                            // restored in the finally block, as the rules require.
                            interrupted = true;
                            interruptedInside = true;
                        }
                    }
                    running = false;
                    if (completed) {
                        return "rows";
                    }
                    throw new QueryCancelledException(aborted ? "connection aborted" : "canceling statement due to user request");
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        synchronized void cancel() {
            cancels++;
            if (running && !ignoresCancel) {
                effectiveCancels++;
                cancelRequested = true;
                notifyAll();
            }
        }

        synchronized void abort() {
            aborted = true;
            notifyAll();
        }

        synchronized void complete() {
            completed = true;
            notifyAll();
        }

        synchronized int executions() {
            return executions;
        }

        synchronized int cancels() {
            return cancels;
        }

        synchronized int effectiveCancels() {
            return effectiveCancels;
        }

        synchronized boolean interruptedInside() {
            return interruptedInside;
        }
    }

    /** Waits for the latch however often interrupted; restores the flag afterwards. */
    static boolean awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting: this simulates code that must see its wait through; restored below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return interrupted;
    }

    static void awaitExecuting(Forked<?> body) {
        body.awaitBlockedIn("$Statement", "execute");
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C9: a cancel runs the region's action exactly once instead of interrupting; the region "
            + "surfaces CancelledException")
    void c9_actionInsteadOfInterrupt_exactlyOnce(ThreadKind threads) throws Exception {
        Statement statement = new Statement();
        CancellationSource token = CancellationSource.create();
        AtomicInteger actions = new AtomicInteger();
        Forked<String> body = threads.fork(() -> token.call(() -> Cancellation.withCancelAction(
                CancelAction.of(() -> {
                    actions.incrementAndGet();
                    statement.cancel();
                }), statement::execute)));
        awaitExecuting(body);

        // several cancellers at once, plus repeats
        Forked<?>[] cancellers = new Forked<?>[4];
        for (int i = 0; i < cancellers.length; i++) {
            cancellers[i] = threads.fork(() -> token.cancel("stop"));
        }
        for (Forked<?> c : cancellers) {
            c.join();
        }
        token.cancel();

        Throwable thrown = body.joinFailure();
        assertThat(thrown).isInstanceOf(CancelledException.class).hasCauseInstanceOf(QueryCancelledException.class);
        assertThat(actions).as("C9: the action runs exactly once").hasValue(1);
        assertThat(statement.interruptedInside()).as("C9: no interrupt inside the region").isFalse();
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C9: the escalation does not run when the action got the body out within the grace")
    void c9_noEscalationWhenActionSufficed(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        Statement statement = new Statement();
        CancellationSource token = clock.call(CancellationSource::create);
        AtomicInteger escalations = new AtomicInteger();
        CancelAction action = CancelAction.of(statement::cancel)
                .withEscalation(Duration.ofSeconds(2), () -> {
                    escalations.incrementAndGet();
                    statement.abort();
                });
        Forked<String> body = threads.fork(() -> clock.call(() -> token.call(() -> Cancellation.withCancelAction(action, statement::execute))));
        awaitExecuting(body);

        token.cancel();
        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class); // the region has been left
        clock.advance(Duration.ofHours(1));

        assertThat(escalations).as("C9: no escalation once the body is out").hasValue(0);
        assertThat(statement.effectiveCancels()).isEqualTo(1);
        assertThat(clock.pendingTimers()).isZero();
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C9 (virtual time): the escalation runs exactly once, exactly when the grace has passed, "
            + "only because the body is still inside")
    void c9_escalationAfterGraceWhenStillInside(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        Statement statement = new Statement(true); // ignores cancel: only the escalation gets it out
        CancellationSource token = clock.call(CancellationSource::create);
        AtomicInteger escalations = new AtomicInteger();
        CancelAction action = CancelAction.of(statement::cancel)
                .withEscalation(Duration.ofSeconds(2), () -> {
                    escalations.incrementAndGet();
                    statement.abort();
                });
        Forked<String> body = threads.fork(() -> clock.call(() -> token.call(() -> Cancellation.withCancelAction(action, statement::execute))));
        awaitExecuting(body);

        token.cancel();
        assertThat(statement.cancels()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(2).minusNanos(1));
        assertThat(escalations).as("grace - 1 ns: not yet").hasValue(0);
        assertThat(body.isDone()).isFalse();
        clock.advance(Duration.ofNanos(1));

        Throwable thrown = body.joinFailure();
        assertThat(escalations).as("C9: escalation exactly once").hasValue(1);
        assertThat(thrown).isInstanceOf(CancelledException.class).hasCauseInstanceOf(QueryCancelledException.class);
        assertThat(thrown.getCause()).hasMessage("connection aborted");
        assertThat(statement.interruptedInside()).isFalse();
        clock.advance(Duration.ofHours(1));
        assertThat(escalations).hasValue(1);
        assertThat(statement.cancels()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C9: the region is not left while its action is still running")
    void c9_regionNotLeftWhileActionRuns(ThreadKind threads) throws Exception {
        Statement statement = new Statement();
        CancellationSource token = CancellationSource.create();
        Steps steps = new Steps();
        Thread[] bodyThread = new Thread[1];
        CancelAction action = CancelAction.of(() -> {
            steps.expect(2);
            statement.cancel(); // the body's execute() returns now ...
            // ... but its region must wait for this action to end: see it waiting there.
            Forked.awaitBlockedIn(bodyThread[0], "ActionRegion", "exit");
            steps.expect(3);
        });
        Forked<String> body = threads.fork(() -> token.call(() -> {
            try {
                return Cancellation.withCancelAction(action, statement::execute);
            } finally {
                steps.expect(4); // the region has been left: only after the action ended
            }
        }));
        bodyThread[0] = body.thread;
        awaitExecuting(body);
        steps.expect(1);

        token.cancel();

        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
        steps.finish(5);
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C9: the region is not left while its escalation is still running")
    void c9_regionNotLeftWhileEscalationRuns(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        Statement statement = new Statement(true);
        CancellationSource token = clock.call(CancellationSource::create);
        Steps steps = new Steps();
        Thread[] bodyThread = new Thread[1];
        CancelAction action = CancelAction.of(statement::cancel).withEscalation(Duration.ofSeconds(1), () -> {
            steps.expect(2);
            statement.abort();
            Forked.awaitBlockedIn(bodyThread[0], "ActionRegion", "exit");
            steps.expect(3);
        });
        Forked<String> body = threads.fork(() -> clock.call(() -> token.call(() -> {
            try {
                return Cancellation.withCancelAction(action, statement::execute);
            } finally {
                steps.expect(4);
            }
        })));
        bodyThread[0] = body.thread;
        awaitExecuting(body);
        token.cancel();
        steps.expect(1);

        clock.advance(Duration.ofSeconds(1)); // runs the escalation on this thread

        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
        steps.finish(5);
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C9: a timeout's deadline reaches a region through its action, not an interrupt, and still "
            + "surfaces as DeadlineExceededException")
    void c9_timeoutDeadlineRunsAction(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        Statement statement = new Statement();
        Forked<String> body = threads.fork(() -> clock.call(() -> Timeout.call(Duration.ofSeconds(3),
                () -> Cancellation.withCancelAction(CancelAction.of(statement::cancel), statement::execute))));
        awaitExecuting(body);

        clock.advance(Duration.ofSeconds(3));

        assertThat(body.joinFailure()).isInstanceOf(DeadlineExceededException.class);
        assertThat(statement.effectiveCancels()).isEqualTo(1);
        assertThat(statement.interruptedInside()).isFalse();
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C9/C4: the interrupt held back while inside is delivered once the region is left")
    void c9_heldBackInterruptDeliveredOnExit(ThreadKind threads) throws Exception {
        Statement statement = new Statement();
        CancellationSource token = CancellationSource.create();
        Forked<Boolean> body = threads.fork(() -> token.call(() -> {
            try {
                Cancellation.withCancelAction(CancelAction.of(statement::cancel), statement::execute);
                return false;
            } catch (CancelledException e) {
                return Thread.currentThread().isInterrupted(); // out of the region: the interrupt arrives
            }
        }));
        awaitExecuting(body);

        token.cancel();

        body.join();
        assertThat(body.value()).as("interrupted after the region").isTrue();
        assertThat(body.interruptedAfter()).as("C4: and cleared when token.call returned").isFalse();
        assertThat(statement.interruptedInside()).isFalse();
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C9/C8: under a soft cancel the action waits for the grace; a body that completes first "
            + "returns normally")
    void c9_softCancel_actionAfterGrace(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        Statement statement = new Statement();
        CancellationSource token = clock.call(CancellationSource::create);
        Forked<String> body = threads.fork(() -> clock.call(() -> token.call(
                () -> Cancellation.withCancelAction(CancelAction.of(statement::cancel), statement::execute))));
        awaitExecuting(body);

        token.cancel(CancelReason.shutdown("drain"), Duration.ofSeconds(5));
        clock.advance(Duration.ofSeconds(5).minusNanos(1));
        assertThat(statement.cancels()).as("no action within the grace").isZero();
        clock.advance(Duration.ofNanos(1));
        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
        assertThat(statement.cancels()).isEqualTo(1);

        // and a body that completes within the grace returns its value
        Statement quick = new Statement();
        CancellationSource second = clock.call(CancellationSource::create);
        Forked<String> ok = threads.fork(() -> clock.call(() -> second.call(
                () -> Cancellation.withCancelAction(CancelAction.of(quick::cancel), quick::execute))));
        awaitExecuting(ok);
        second.cancel(CancelReason.shutdown("drain"), Duration.ofSeconds(5));
        quick.complete();
        ok.join();
        assertThat(ok.value()).isEqualTo("rows");
        assertThat(quick.cancels()).isZero();
    }

    @Test
    @DisplayName("C9: a region outside any bound token just runs its body")
    void c9_unboundRegionRunsBody() throws Exception {
        AtomicInteger actions = new AtomicInteger();
        assertThat(Cancellation.withCancelAction(CancelAction.of(actions::incrementAndGet), () -> "value")).isEqualTo("value");
        assertThat(actions).hasValue(0);
    }

    /**
     * Open issue, found by this suite and not fixed (an API question, see the report): a
     * {@link Timeout} nested inside a region has a binding of its own, deeper than the region's
     * barrier, so an outer cancel, which flows down to the timeout's token, interrupts the thread
     * inside the region.
     */
    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C9: no interrupt inside a region, even through a Timeout nested in it")
    void c9_nestedTimeoutInsideRegionIsNotInterrupted(ThreadKind threads) throws Exception {
        Statement statement = new Statement(true);
        CancellationSource token = CancellationSource.create();
        Forked<String> body = threads.fork(() -> token.call(() -> Cancellation.withCancelAction(
                CancelAction.of(statement::cancel),
                () -> Timeout.call(Duration.ofHours(1), statement::execute))));
        awaitExecuting(body);
        token.cancel();
        statement.abort();
        body.join();
        assertThat(statement.interruptedInside()).isFalse();
    }
}
