package org.cancelkit.lifecycle.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.cancelkit.MonotonicClock;
import org.cancelkit.Registration;
import org.cancelkit.lifecycle.ShutdownReport;
import org.cancelkit.lifecycle.WorkerOutcome;
import org.cancelkit.lifecycle.WorkerReport;
import org.jspecify.annotations.Nullable;

/**
 * The shutdown sequence (L1), run once, on its own thread: a platform thread (see
 * {@link Tree#startShutdownThread}), as is every cancel it sends, so that it makes progress whatever the
 * workers do with the carrier threads of the virtual-thread scheduler.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li>Workers are stopped one at a time, in the tree's stop order. Each gets a soft cancel with its
 *       grace (cut short by the budget): the core interrupts nothing until the grace has passed, and
 *       then turns the cancel hard (C8). This thread waits for the worker's end until the grace
 *       ends, then cancels it hard itself (a no-op when the core already has) and waits at most the
 *       hard-stop wait; a worker still running then is abandoned: reported with its stack and left
 *       running.</li>
 *   <li>Every wait ends by the budget's end. A worker whose turn comes after the budget is cancelled
 *       hard and not waited for. So the sequence ends within the budget (plus the time to write the
 *       report), however the workers behave.</li>
 *   <li>An escalation (a second signal, {@code shutdownNow}) is a hard cancel of the application's
 *       token, sent by the escalating thread at once ({@link #escalatedAt} is written before it); it
 *       wakes this thread from a grace wait, and every worker not yet stopped then shares one
 *       hard-stop wait.</li>
 *   <li>Outcome, exactly: a worker whose token was not cancelled when its body ended ended early;
 *       one that ended before its hard cancel ({@code min(hardAt, escalatedAt)}) stopped in grace and
 *       was never interrupted, since no interrupt is sent before that instant; any other that ended
 *       stopped after the hard cancel. A body that threw something other than its cancellation failed.</li>
 *   <li>Every cancel is sent from a thread of its own (its {@code onCancel} callbacks run there), and
 *       the sequence joins each of them before it reports, by the budget's end like every other wait.
 *       So no thread it started outlives the report, except a sender still inside a callback when the
 *       budget ends: its worker is then reported abandoned, with the sender's stack.</li>
 * </ol>
 *
 * <p>Fields: {@link #escalatedAt} is written once by an escalating thread (volatile), read here; the
 * rest belong to the shutdown thread.
 */
public final class Shutdown {
    private final Tree tree;
    private final MonotonicClock clock;
    private final String application;
    private final String reason;
    private final long budgetNanos;
    private final long hardWaitNanos;
    /** Cancelled by an escalation; wakes a grace wait (rule 3). */
    private final CancellationSource escalation;
    private final Supplier<Optional<String>> escalationReason;
    private final Runnable escalateOnInterrupt;
    private volatile long escalatedAt = Long.MAX_VALUE;
    private long budgetEnd;
    private boolean interrupted;

    /**
     * Prepares the sequence; nothing happens until {@link #run()}.
     *
     * @param tree the running tree
     * @param application the application's name
     * @param reason why it shuts down
     * @param budget the total budget
     * @param hardWait how long a worker may take to end after its hard cancel
     * @param escalationReason the escalation's reason once there is one
     * @param escalateOnInterrupt escalates the application (called when this thread is interrupted)
     */
    public Shutdown(Tree tree, String application, String reason, Duration budget, Duration hardWait,
                    Supplier<Optional<String>> escalationReason, Runnable escalateOnInterrupt) {
        this.tree = tree;
        this.clock = tree.clock();
        this.application = application;
        this.reason = reason;
        this.budgetNanos = saturatedNanos(budget);
        this.hardWaitNanos = saturatedNanos(hardWait);
        this.escalation = tree.newRoot();
        this.escalationReason = escalationReason;
        this.escalateOnInterrupt = escalateOnInterrupt;
    }

    /**
     * Records an escalation and wakes the sequence; the caller has just hard-cancelled (or is about to
     * hard-cancel) the application's token. Call it before that cancel (rule 3).
     */
    public void escalated() {
        escalatedAt = clock.nanoTime();
        escalation.cancel("escalated");
    }

    /**
     * Runs the sequence.
     *
     * @return the report
     */
    public ShutdownReport run() {
        long start = clock.nanoTime();
        var event = Emit.shutdownStarted();
        budgetEnd = plus(start, budgetNanos);
        List<WorkerRun> order = tree.stopOrder();
        List<WorkerRun> rest = new ArrayList<>();
        for (WorkerRun w : order) {
            if (escalation.isCancelled()) {
                rest.add(w);
            } else {
                stopOne(w);
            }
        }
        if (!rest.isEmpty()) { // rule 3: every one of them was cancelled hard at escalatedAt
            long deadline = Math.min(plus(clock.nanoTime(), hardWaitNanos), budgetEnd);
            for (WorkerRun w : rest) {
                w.givenGrace = 0;
                awaitEnd(w, deadline, false);
            }
        }
        for (WorkerRun w : order) {
            if (w.isDone()) {
                joinBounded(w.thread); // its body has ended; so has its thread once this returns (no thread outlives the report)
            }
            for (Sender s : w.senders) { // rule 5: its end is a clock wait, then its thread has only to exit
                awaitCancelled(s.sent(), budgetEnd, false);
                if (s.sent().isCancelled()) {
                    joinBounded(s.thread());
                }
            }
        }
        List<WorkerReport> reports = new ArrayList<>();
        long end = clock.nanoTime();
        for (WorkerRun w : order) {
            reports.add(outcome(w, end));
            Emit.workerEnded(reports.getLast());
        }
        tree.closeAll();
        escalation.close();
        for (WorkerRun w : order) {
            w.senders.forEach(s -> s.sent().close());
        }
        ShutdownReport report = new ShutdownReport(application, reason, escalationReason.get(),
                Duration.ofNanos(budgetNanos), Duration.ofNanos(Math.max(0, clock.nanoTime() - start)), reports);
        Emit.shutdownEnded(event, report);
        if (interrupted) {
            Thread.currentThread().interrupt(); // kept waiting through it (rule 2 bounds the waits); restored
        }
        return report;
    }

    /** Rules 1 and 2 for one worker. */
    private void stopOne(WorkerRun w) {
        if (w.isDone()) {
            return; // ended before its turn: nothing to cancel
        }
        long now = clock.nanoTime();
        long graceEnd = Math.min(plus(now, saturatedNanos(w.grace())), budgetEnd);
        w.softAt = now;
        w.hardAt = graceEnd;
        w.givenGrace = Math.max(0, graceEnd - now);
        CancelReason why = CancelReason.shutdown(reason);
        Duration grace = Duration.ofNanos(w.givenGrace);
        Emit.phase(w.path, false, w.givenGrace, now);
        send(w, "soft", () -> w.token.cancel(why, grace)); // zero grace (or no budget left): hard now
        awaitEnd(w, graceEnd, true);
        if (w.isDone()) {
            return;
        }
        Emit.phase(w.path, true, 0, clock.nanoTime());
        send(w, "hard", () -> w.token.cancel(why)); // the core has done it already when the grace ran out (C8)
        awaitEnd(w, Math.min(plus(clock.nanoTime(), hardWaitNanos), budgetEnd), false);
    }

    /**
     * Sends a cancel from a thread of its own: cancelling runs the worker's {@code onCancel} callbacks on
     * the cancelling thread, and one that blocks (a server's graceful stop, a network close) must not
     * hold this sequence past its budget (rule 2). The waits that follow are bounded as before.
     */
    private void send(WorkerRun w, String which, Runnable cancel) {
        CancellationSource sent = tree.newRoot();
        Thread t = tree.startShutdownThread("shutdown-" + which + "-cancel-" + w.path, () -> {
            try {
                cancel.run();
            } finally {
                sent.cancel("sent");
            }
        });
        w.senders.add(new Sender(t, sent));
    }

    /** A thread sending a cancel, and a root on the clock cancelled once the cancel has returned (rule 5). */
    record Sender(Thread thread, CancellationSource sent) {}

    /** Waits for {@code w} to end, until {@code deadline} on the clock, or an escalation if {@code wake}. */
    private void awaitEnd(WorkerRun w, long deadline, boolean wake) {
        awaitCancelled(w.done, deadline, wake);
    }

    /** Waits until {@code target} is cancelled, until {@code deadline} on the clock, or an escalation if {@code wake}. */
    private void awaitCancelled(CancellationSource target, long deadline, boolean wake) {
        while (!target.isCancelled() && !(wake && escalation.isCancelled())) {
            long left = deadline - clock.nanoTime();
            if (left <= 0) {
                return;
            }
            CancellationSource limit = target.child(Duration.ofNanos(left));
            @Nullable Registration r = wake ? escalation.onCancel(() -> limit.cancel("escalated")) : null;
            try {
                limit.awaitCancellation();
            } catch (InterruptedException e) {
                // Someone wants this shutdown over now: escalate, keep going (every wait is bounded by
                // the budget), and restore the flag when the sequence ends.
                interrupted = true;
                escalateOnInterrupt.run();
            } finally {
                if (r != null) {
                    r.close();
                }
                limit.close();
            }
        }
    }

    /**
     * Joins the thread of a worker whose body has ended (it only has its bookkeeping left to do, which
     * may run callbacks) or a cancel's sender (rule 5); the join, too, ends by the budget's end (rule 2).
     */
    private void joinBounded(@Nullable Thread t) {
        while (t != null && t != Thread.currentThread()) {
            long left = budgetEnd - clock.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                t.join(Duration.ofNanos(left));
                return;
            } catch (InterruptedException e) {
                // As in awaitEnd: escalate, keep going (the thread is ending), restore the flag at the end.
                interrupted = true;
                escalateOnInterrupt.run();
            }
        }
    }

    /** Rule 4. */
    private WorkerReport outcome(WorkerRun w, long now) {
        long escalated = escalatedAt;
        long soft = Math.min(w.softAt, escalated);
        long hard = Math.min(w.hardAt, escalated);
        Duration grace = Duration.ofNanos(w.givenGrace >= 0 ? w.givenGrace : saturatedNanos(w.grace()));
        @Nullable Thread sender = w.senders.stream().filter(s -> !s.sent().isCancelled()).map(Sender::thread)
                .findFirst().orElse(null);
        if (!w.isDone() || sender != null) { // rule 5: a sender still in a callback leaves the worker unstopped
            Thread t = w.isDone() ? sender : w.thread;
            List<StackTraceElement> stack = t == null ? List.of() : List.of(t.getStackTrace());
            return new WorkerReport(w.path, WorkerOutcome.ABANDONED, grace, since(soft, now), since(w.startedAt, now),
                    null, stack);
        }
        long ended = w.endedAt;
        Duration ran = since(w.startedAt, ended);
        Throwable f = w.failure;
        Duration stopTime = w.endedUncancelled ? Duration.ZERO : since(soft, ended);
        if (f != null) {
            return new WorkerReport(w.path, WorkerOutcome.FAILED, grace, stopTime, ran, f, List.of());
        }
        WorkerOutcome o = w.endedUncancelled ? WorkerOutcome.ENDED_EARLY
                : ended < hard ? WorkerOutcome.STOPPED_IN_GRACE : WorkerOutcome.STOPPED_AFTER_HARD_CANCEL;
        return new WorkerReport(w.path, o, grace, stopTime, ran, null, List.of());
    }

    private static Duration since(long from, long to) {
        return from == Long.MAX_VALUE || to <= from ? Duration.ZERO : Duration.ofNanos(to - from);
    }

    private static long plus(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // hundreds of years: as good as for ever
        }
    }
}
