package org.cancelkit;

import java.util.ArrayList;
import java.util.List;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The tasks of a {@link TaskGroup} that have not been forgotten yet (C10): those running, and those
 * that ended since the owner last reaped. A task's thread pushes its run onto {@link #ending} at its
 * very end; the owner reaps at its next fork, join or close: it joins the thread (it is past its last
 * step, so this returns at once or nearly) and forgets the run, with its body, thread and tokens.
 *
 * <p>Both lists are intrusive, so a task costs no collection entry: the live list links the runs
 * through {@link TaskRun#prevLive}/{@link TaskRun#nextLive} in fork order (the owner's alone), and the
 * ending stack through {@link TaskRun#nextEnding} (a task's thread writes its link, then pushes by CAS;
 * the owner takes the whole stack at once, which orders the link's write before its read).
 *
 * <p>Waiting: the owner counts its forks in {@link #forked}, a field of its own, and each task's end
 * counts {@link #endedCount} up; all of them have ended when the two are equal. A fork touches no
 * field a task writes. The owner waits only once it forks no more (join and close end the forking),
 * so the total it waits for is fixed by then: it publishes that total ({@link #gateTotal}) and then a
 * {@link #gate} token, and only then reads the count; the task whose end takes the count to the total
 * cancels the gate it then finds. All three are volatile, so either the owner sees the total reached
 * or that task sees the owner's gate: a wait is one park, not one per task. The owner waits on a gate
 * on a clock with a service, where the wait must be a cancelkit wait; on the system clock a join
 * joins the threads in fork order instead ({@link #awaitAll}), and a bounded close uses the gate.
 *
 * <p>Fields: {@link #first}, {@link #last}, {@link #live} and {@link #forked} are the owner's alone;
 * {@link #ending} is pushed by task threads and taken by the owner; {@link #endedCount} is counted up
 * by each task's end; {@link #gateTotal} and {@link #gate} are written by the owner and read by the
 * task that ends last.
 */
final class TaskRuns {
    private @Nullable TaskRun<?> first;
    private @Nullable TaskRun<?> last;
    private int live;
    private final AtomicReference<@Nullable TaskRun<?>> ending = new AtomicReference<>();
    /** Owner only: the tasks forked so far. */
    private long forked;
    /** The tasks that have ended: counted up by each task's end, by {@link #ENDED}. */
    private volatile long endedCount;
    /** The number of tasks the published {@link #gate} waits for; written before the gate. */
    private volatile long gateTotal = -1;
    private volatile @Nullable Node gate;

    private static final VarHandle ENDED;

    static {
        try {
            ENDED = MethodHandles.lookup().findVarHandle(TaskRuns.class, "endedCount", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Owner only, before the task's thread starts. */
    void add(TaskRun<?> run) {
        run.prevLive = last;
        if (last == null) {
            first = run;
        } else {
            last.nextLive = run;
        }
        last = run;
        live++;
        forked++;
    }

    private void unlink(TaskRun<?> run) {
        TaskRun<?> p = run.prevLive;
        TaskRun<?> n = run.nextLive;
        if (p == null) {
            first = n;
        } else {
            p.nextLive = n;
        }
        if (n == null) {
            last = p;
        } else {
            n.prevLive = p;
        }
        run.prevLive = null;
        run.nextLive = null;
        live--;
    }

    /** On the task's thread (or the owner's, for a task cancelled before it started), once. */
    void ended(TaskRun<?> run) {
        TaskRun<?> head;
        do {
            head = ending.get();
            run.nextEnding = head;
        } while (!ending.compareAndSet(head, run));
        long n = (long) ENDED.getAndAdd(this, 1L) + 1;
        Node g = gate;
        if (g != null && n == gateTotal) { // the owner forks no more once it waits (see the class comment)
            g.cancel(CancelReason.requested("every task ended"), -1);
        }
    }

    List<TaskRun<?>> snapshot() {
        List<TaskRun<?>> runs = new ArrayList<>(live);
        for (TaskRun<?> r = first; r != null; r = r.nextLive) {
            runs.add(r);
        }
        return runs;
    }

    void clear() {
        first = null;
        last = null;
        live = 0;
        ending.set(null);
    }

    int liveCount() {
        return live;
    }

    int endingCount() {
        int n = 0;
        for (TaskRun<?> r = ending.get(); r != null; r = r.nextEnding) {
            n++;
        }
        return n;
    }

    /** Owner only: forgets the tasks that have ended, once their threads have (C1). */
    boolean reap() {
        if (ending.get() == null) {
            return false; // nothing ended since the last reap: a read, no write to the tasks' shared field
        }
        boolean interrupted = false;
        TaskRun<?> next;
        for (TaskRun<?> run = ending.getAndSet(null); run != null; run = next) {
            next = run.nextEnding;
            run.nextEnding = null;
            if (run.thread != null) {
                interrupted |= Waits.joinThread(run.thread); // it is past its last step
            }
            unlink(run);
        }
        return interrupted;
    }

    /** Owner only: a fresh gate, published; the caller waits on it while {@link #allEnded()} is false, then closes it. */
    private Node openGate(MonotonicClock clock) {
        Node g = Node.root(clock, Scope.NONE);
        gateTotal = forked;
        gate = g; // after its total, before the count is read again (see the class comment)
        return g;
    }

    /** Owner only. */
    private boolean allEnded() {
        return endedCount == forked;
    }

    /** What an interrupt that came while the owner waited was ({@link #interruptWhileWaiting}). */
    private static final int OWN_INTERRUPT = 1;
    private static final int FOREIGN_INTERRUPT = 2;

    /**
     * Waits for every task's end and thread, through interrupts; returns whether a foreign one came
     * (the group is then cancelled through {@code group}).
     *
     * <p>On a clock with a service (a virtual clock) the owner first waits on the gate: a cancelkit
     * wait, which lets an auto-advancing clock move while it waits. On the system clock it joins the
     * threads in fork order and nothing more: measured (bench 10b), one gate per join took 84 µs for
     * 100 tasks against 68 µs for the joins, the owner being preempted 1.6 times per join against 0.2.
     */
    boolean awaitAll(Node group, MonotonicClock clock) {
        int seen = clock.service == null ? 0 : awaitGate(group, clock);
        seen |= joinThreads(group);
        boolean foreign = (seen & FOREIGN_INTERRUPT) != 0;
        if ((seen & OWN_INTERRUPT) != 0 && !foreign) {
            Thread.currentThread().interrupt(); // restore cancelkit's interrupt: the binding clears it at its exit (C4)
        }
        return foreign | reap();
    }

    /** Owner only: waits on a gate until every task has ended; returns the interrupts it saw. */
    private int awaitGate(Node group, MonotonicClock clock) {
        int seen = 0;
        if (!allEnded()) {
            Node g = openGate(clock);
            try {
                while (!allEnded() && !g.isCancelled()) {
                    try {
                        Waits.await(g, false, false);
                    } catch (InterruptedException e) {
                        seen |= interruptWhileWaiting(group); // C1: keep waiting either way
                    }
                }
            } finally {
                g.close();
            }
        }
        return seen;
    }

    /** Owner only: joins each live task's thread, in fork order; returns the interrupts it saw. */
    private int joinThreads(Node group) {
        int seen = 0;
        for (TaskRun<?> run = first; run != null; run = run.nextLive) {
            Thread t = run.thread; // null for a task that ended before it started
            while (t != null) {
                try {
                    t.join();
                    t = null;
                } catch (InterruptedException e) {
                    seen |= interruptWhileWaiting(group); // C1: keep waiting either way
                }
            }
        }
        return seen;
    }

    /**
     * Owner only: classifies an interrupt that came while it waited for the tasks. When the token the
     * owner is bound to is cancelled, cancelkit sent it, and the cancel reaches the tasks too: not a
     * foreign interrupt, so join does not throw InterruptedException; the flag is set again at the end
     * for the bound region to see. Any other is the caller's: the group is cancelled, and the caller
     * learns of it once every task has ended.
     */
    private static int interruptWhileWaiting(Node group) {
        if (Binding.currentToken().isCancelled()) {
            return OWN_INTERRUPT;
        }
        group.cancel(CancelReason.requested("the owner was interrupted"), -1);
        return FOREIGN_INTERRUPT;
    }

    /**
     * Waits, through interrupts, until every task has ended or {@code limit} is cancelled; returns
     * whether an interrupt came (the caller restores the flag).
     */
    boolean awaitEnded(Node limit, MonotonicClock clock) {
        boolean interrupted = false;
        if (!allEnded()) {
            Node g = openGate(clock);
            try {
                while (!allEnded() && !g.isCancelled() && !limit.isCancelled()) {
                    interrupted |= Waits.awaitEither(g, limit, clock);
                }
            } finally {
                g.close();
            }
        }
        return interrupted;
    }
}
