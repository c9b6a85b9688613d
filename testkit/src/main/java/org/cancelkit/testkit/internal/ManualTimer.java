package org.cancelkit.testkit.internal;

import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.cancelkit.spi.ClockService;
import org.cancelkit.spi.TimerTask;
import org.jspecify.annotations.Nullable;

/**
 * The clock service behind a virtual clock: its reading, its timer and its counts of participants and
 * parked threads. Tasks fire only when the clock is advanced, on the advancing thread, in deadline
 * order (ties in arming order), each with the clock reading equal to its deadline.
 *
 * <p>Thread-safe: every field is guarded by {@link #lock}.
 */
public final class ManualTimer implements ClockService {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Armed> queue = new PriorityQueue<>();
    private long sequence;
    private long now;
    /** Threads in a library wait on this clock, participants or not: what {@link #awaitParked} counts. */
    private int parked;
    /** Those of them that are participants: what auto-advance compares with {@link #participants}. */
    private int parkedParticipants;
    private int participants;
    private boolean autoAdvance;
    /** Serialises auto-advances, so two threads parking at once do not both move the clock. */
    private final ReentrantLock advancing = new ReentrantLock();

    /** Creates a timer reading zero. */
    public ManualTimer() {}

    private record Armed(TimerTask entry, long seq) implements Comparable<Armed> {
        @Override
        public int compareTo(Armed o) {
            int c = Long.compare(entry.deadline(), o.entry.deadline());
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /**
     * Returns the current reading.
     *
     * @return the current reading
     */
    public long now() {
        lock.lock();
        try {
            return now;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long nanoTime() {
        return now();
    }

    @Override
    public void arm(TimerTask entry) {
        lock.lock();
        try {
            queue.add(new Armed(entry, sequence++));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the reading forward to {@code target}, firing every live entry due on the way.
     *
     * @param target the new reading; not before the current one
     * @param onStep called with each intermediate reading before the entries due then fire
     */
    public void advanceTo(long target, @Nullable LongConsumer onStep) {
        while (true) {
            TimerTask due;
            lock.lock();
            try {
                if (target < now) {
                    throw new IllegalArgumentException("a clock cannot go back: now " + now + ", asked " + target);
                }
                Armed top = queue.peek();
                while (top != null && top.entry.isRetired()) {
                    queue.poll();
                    top = queue.peek();
                }
                if (top == null || top.entry.deadline() > target) {
                    now = target;
                    changed.signalAll();
                    return;
                }
                queue.poll();
                now = Math.max(now, top.entry.deadline());
                due = top.entry;
            } finally {
                lock.unlock();
            }
            if (onStep != null) {
                onStep.accept(due.deadline());
            }
            due.fire();
        }
    }

    /**
     * Returns the earliest deadline of a live entry, or {@link Long#MAX_VALUE} when there is none.
     *
     * @return the earliest deadline of a live entry, or {@link Long#MAX_VALUE} when there is none
     */
    public long nextDeadline() {
        lock.lock();
        try {
            Armed top;
            while ((top = queue.peek()) != null && top.entry.isRetired()) {
                queue.poll();
            }
            return top == null ? Long.MAX_VALUE : top.entry.deadline();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the number of live entries.
     *
     * @return the number of live entries
     */
    public int pending() {
        lock.lock();
        try {
            queue.removeIf(a -> a.entry.isRetired());
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counts a participant entering ({@code +1}) or leaving ({@code -1}) a library wait on this clock.
     *
     * @param delta +1 or -1
     */
    public void parked(int delta) {
        parked(delta, true);
    }

    /**
     * Counts a thread entering ({@code +1}) or leaving ({@code -1}) a library wait on this clock. Only
     * a participant's wait can let auto-advance move the clock: a thread outside the code under test
     * waiting on one of its tokens must not fast-forward a participant that is busy.
     *
     * @param delta +1 or -1
     * @param participant whether the waiting thread is a participant (bound to this clock)
     */
    @Override
    public void parked(int delta, boolean participant) {
        lock.lock();
        try {
            parked += delta;
            if (participant) {
                parkedParticipants += delta;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (delta > 0 && participant) {
            maybeAutoAdvance();
        }
    }

    /**
     * Counts a thread starting ({@code +1}) or ending ({@code -1}) its part in the code under test.
     *
     * @param delta +1 or -1
     */
    @Override
    public void participants(int delta) {
        lock.lock();
        try {
            participants += delta;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (delta < 0) {
            maybeAutoAdvance();
        }
    }

    /**
     * Turns auto-advance on or off: when on, whenever every participant is parked in a library wait,
     * the clock jumps to the earliest pending deadline.
     *
     * @param on whether to auto-advance
     */
    public void autoAdvance(boolean on) {
        lock.lock();
        try {
            autoAdvance = on;
        } finally {
            lock.unlock();
        }
        maybeAutoAdvance();
    }

    /**
     * Jumps to the next deadline as long as every participant is parked. One thread advances at a
     * time; a thread that finds another advancing leaves it to that one, which checks again after it
     * has let go (so a park that raced its last check is not missed).
     */
    private void maybeAutoAdvance() {
        do {
            if (!advancing.tryLock()) {
                return;
            }
            try {
                long next;
                while ((next = autoAdvanceTarget()) != Long.MIN_VALUE) {
                    advanceTo(next, null); // wakes waiters, which stop counting as parked at once
                }
            } finally {
                advancing.unlock();
            }
        } while (autoAdvanceTarget() != Long.MIN_VALUE);
    }

    /** Where to jump now, or {@link Long#MIN_VALUE} when not every participant is parked. */
    private long autoAdvanceTarget() {
        lock.lock();
        try {
            if (!autoAdvance || participants == 0 || parkedParticipants < participants) {
                return Long.MIN_VALUE;
            }
            Armed top;
            while ((top = queue.peek()) != null && top.entry.isRetired()) {
                queue.poll();
            }
            return top == null ? Long.MIN_VALUE : Math.max(now, top.entry.deadline()); // none: nothing to jump to
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns how many threads take part in the code under test.
     *
     * @return the number of participants
     */
    public int participantCount() {
        lock.lock();
        try {
            return participants;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns how many threads are parked in library waits on this clock.
     *
     * @return how many threads are parked in library waits on this clock
     */
    public int parkedCount() {
        lock.lock();
        try {
            return parked;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits, on real time, until at least {@code count} threads are parked in library waits.
     *
     * @param count how many
     * @param realTimeoutNanos how long to wait at most, on real time
     * @return true when the count was reached
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean awaitParked(int count, long realTimeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = realTimeoutNanos;
            while (parked < count) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
