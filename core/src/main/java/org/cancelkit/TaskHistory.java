package org.cancelkit;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The results a {@link TaskGroup} keeps for its report: the most recent {@link #limit} in the order
 * the tasks ended, and the first failure whatever the limit (fail-fast's join throws it).
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>At most {@code 2 * limit} results are held: when the array is full and more than
 *       {@code limit} are held, the oldest are dropped. Appending is amortised O(1).</li>
 *   <li>Slots are only appended to, or the array is replaced; a range of it is never overwritten,
 *       so {@link #recent()} is a snapshot that later ends do not change.</li>
 * </ol>
 *
 * <p>Thread-safety: every method is called with the monitor of the group's {@link TaskLedger} held
 * (the task threads record, the owner reads).
 */
final class TaskHistory {
    /** A result with the fork order of its task. */
    record Ended(long seq, TaskResult result) {}

    private final int limit;
    private Ended[] ended = new Ended[16];
    private int from;
    private int count;
    private @Nullable Ended firstFailure;

    TaskHistory(int limit) {
        this.limit = limit;
    }

    void record(long seq, TaskResult r) {
        Ended e = new Ended(seq, r);
        if (firstFailure == null && r.outcome() == TaskOutcome.FAILED) {
            firstFailure = e;
        }
        if (limit == 0) {
            return;
        }
        if (count == ended.length) { // invariant 1: copy what is kept into a new array
            int keep = count - from;
            Ended[] next = new Ended[Math.max(16, keep * 2)];
            System.arraycopy(ended, from, next, 0, keep);
            ended = next;
            count = keep;
            from = 0;
        }
        ended[count++] = e;
        if (count - from > limit) {
            from = count - limit;
        }
    }

    /** The kept results in end order, as a snapshot (invariant 2). */
    List<TaskResult> recent() {
        Ended[] a = ended;
        int lo = from;
        int n = count - from;
        return new AbstractList<>() {
            @Override
            public TaskResult get(int i) {
                if (i < 0 || i >= n) {
                    throw new IndexOutOfBoundsException(i);
                }
                return a[lo + i].result();
            }

            @Override
            public int size() {
                return n;
            }
        };
    }

    /** The kept results, and the first failure if it is no longer among them, in end order. */
    List<Ended> kept() {
        List<Ended> out = new ArrayList<>(Arrays.asList(ended).subList(from, count));
        if (firstFailure != null && !out.contains(firstFailure)) {
            out.add(0, firstFailure);
        }
        return out;
    }

    /**
     * The report when nothing was dropped and the kept tasks' fork orders are consecutive (every task
     * of the group has ended and is kept): each result placed by its fork order, no sort. Null
     * otherwise. Measured: the general path (lists, then a sort) took 5 µs of the owner's time in a
     * fork + join of 100 tasks (bench 10b).
     */
    @Nullable TaskReport reportIfWhole() {
        if (from != 0 || limit == 0) {
            return null; // something was dropped, or nothing is kept but the first failure
        }
        int n = count;
        long min = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            min = Math.min(min, ended[i].seq());
        }
        TaskResult[] byFork = new TaskResult[n];
        TaskResult[] byEnd = new TaskResult[n];
        for (int i = 0; i < n; i++) {
            Ended e = ended[i];
            long at = e.seq() - min;
            if (at >= n || byFork[(int) at] != null) {
                return null; // a gap in the fork orders: some task is not here
            }
            byFork[(int) at] = e.result();
            byEnd[i] = e.result();
        }
        return new TaskReport(List.of(byFork), List.of(byEnd));
    }

    static List<TaskResult> inForkOrder(List<Ended> kept) {
        return kept.stream().sorted(Comparator.comparingLong(Ended::seq)).map(Ended::result).toList();
    }
}
