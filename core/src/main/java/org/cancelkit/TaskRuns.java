package org.cancelkit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The tasks of a {@link TaskGroup} that have not been forgotten yet (C10): those running, and those
 * that ended since the owner last reaped. A task's thread pushes its run onto {@link #ending} at its
 * very end; the owner reaps at its next fork, join or close: it joins the thread (it is past its last
 * step, so this returns at once) and forgets the run, with its body, thread and tokens.
 *
 * <p>Fields: {@link #live} is the owner's alone; {@link #ending} is written by task threads and
 * drained by the owner.
 */
final class TaskRuns {
    private final Set<TaskRun<?>> live = new LinkedHashSet<>();
    private final Queue<TaskRun<?>> ending = new ConcurrentLinkedQueue<>();

    void add(TaskRun<?> run) {
        live.add(run);
    }

    void ended(TaskRun<?> run) {
        ending.add(run);
    }

    List<TaskRun<?>> snapshot() {
        return new ArrayList<>(live);
    }

    void clear() {
        live.clear();
        ending.clear();
    }

    int liveCount() {
        return live.size();
    }

    int endingCount() {
        return ending.size();
    }

    /** Owner only: forgets the tasks that have ended, once their threads have (C1). */
    boolean reap() {
        boolean interrupted = false;
        for (TaskRun<?> run; (run = ending.poll()) != null; ) {
            if (run.thread != null) {
                interrupted |= Waits.joinThread(run.thread); // it is past its last step: returns at once
            }
            live.remove(run);
        }
        return interrupted;
    }

    /**
     * Waits for every task's end and thread, through interrupts; returns whether a foreign one came
     * (the group is then cancelled through {@code group}).
     */
    boolean awaitAll(Node group) {
        boolean interrupted = false;
        boolean ownTokenInterrupt = false;
        for (TaskRun<?> run : snapshot()) {
            while (!run.done.isCancelled()) {
                try {
                    Waits.await(run.done, false, false);
                } catch (InterruptedException e) {
                    if (Binding.currentToken().isCancelled()) {
                        // cancelkit interrupted the owner because the token it is bound to was
                        // cancelled (which reaches the tasks too): not a foreign interrupt, so join
                        // does not throw InterruptedException. Keep waiting (C1); the flag is set
                        // again below for the bound region to see.
                        ownTokenInterrupt = true;
                    } else {
                        interrupted = true; // C1: keep waiting; the caller learns of it afterwards
                        group.cancel(CancelReason.requested("the owner was interrupted"), -1);
                    }
                }
            }
            if (run.thread != null && Waits.joinThread(run.thread)) {
                if (Binding.currentToken().isCancelled()) {
                    ownTokenInterrupt = true; // as above: cancelkit's interrupt, not the caller's
                } else {
                    interrupted = true;
                }
            }
        }
        if (ownTokenInterrupt && !interrupted) {
            Thread.currentThread().interrupt(); // restore cancelkit's interrupt: the binding clears it at its exit (C4)
        }
        return interrupted | reap();
    }
}
