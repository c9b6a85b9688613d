package org.cancelkit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The one timer behind every deadline on the system clock: a single daemon platform thread that owns
 * a binary heap of live entries.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>Arming takes no lock: an entry is pushed onto one of several lock-free stacks (the inbox),
 *       chosen by the arming thread's id, so two threads arming at once touch different cache lines.</li>
 *   <li>Only the timer thread touches the heap.</li>
 *   <li>No lost wake-up: the timer publishes {@link #parkedUntil} (or {@link Long#MIN_VALUE} while
 *       awake) <em>before</em> it re-checks the inbox and parks; an arming thread pushes <em>before</em>
 *       it reads {@code parkedUntil}. With both volatile, either the timer sees the new entry or the
 *       arming thread sees that the timer will sleep past the entry's deadline and unparks it.</li>
 *   <li>Memory stays bounded while the timer has live entries: while arms keep arriving it wakes at
 *       least every {@link #TICK_NANOS} to drain the inbox, dropping entries already retired (a timeout
 *       whose body returned at once never reaches the heap), and purges retired entries from the heap
 *       when it has doubled. When a drain finds nothing it stops ticking ({@link #ticking} false) and
 *       sleeps until its earliest deadline; the first arm pushed onto an empty inbox slot then wakes it,
 *       so it ticks again.</li>
 *   <li>With no live entry at all the thread parks without a time limit: an idle timer costs nothing.</li>
 *   <li>The timer survives any {@code Throwable}: one from an entry (its {@code fire} or its
 *       {@code isRetired}) is reported to the uncaught-exception handler and that entry is dropped;
 *       one from the timer's own bookkeeping is reported and the loop goes on. Should the thread still
 *       end, its last act, under this timer's monitor, is to let go of {@link #thread} and, if its heap
 *       or inbox holds anything, to start its replacement, which takes over the heap; otherwise the
 *       next arm finds no thread and starts one. An arm that found the ending thread still alive and
 *       only unparked it had pushed its entry first, so the ending thread's look at the inbox sees
 *       it: no entry waits for a later arm.</li>
 *   <li>A herd is fired in parallel: when at least {@link #FAN_OUT_MIN} entries fall due in one tick,
 *       the timer keeps the earliest share and hands the others, in contiguous shares, to helper
 *       {@link TimerThread}s ({@link FanOut}); each entry still fires exactly once, on one thread, and
 *       every helper is a timer thread, so {@link TimerEntry#onTimerThread()} keeps slow work off it
 *       as on the timer itself. Only the firing is shared: the heap stays the timer's (invariant 2).</li>
 * </ol>
 */
public final class SystemTimer implements Timer {
    /** The instance behind the system clock. */
    public static final SystemTimer INSTANCE = new SystemTimer();

    static final long TICK_NANOS = 10_000_000L;
    /** Entries due in one tick from which the firing is shared with helpers (invariant 7). */
    static final int FAN_OUT_MIN = 64;
    /** Inbox slots sit {@code PAD} references apart, so that two stripes never share a cache line (invariant 1). */
    private static final int PAD = 16;
    private static final long IDLE = Long.MAX_VALUE;

    private final int mask;
    private final AtomicReferenceArray<@Nullable TimerEntry> inbox;
    /** Written by the timer thread, read by arming threads: when the timer will next wake by itself. */
    private volatile long parkedUntil = IDLE;
    /** Written by the timer thread, read by arming threads: whether it wakes every tick to drain. */
    private volatile boolean ticking;
    /** Written once (under this) by the first arming thread, read by arming threads. */
    private volatile @Nullable Thread thread;

    // Timer thread only (invariant 2).
    private final PriorityQueue<TimerEntry> heap =
            new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
    private int purgeAt = 1024;
    /**
     * Test hook for invariant 6, false outside tests: set by {@link #endAtNextWakeForTesting}, read and
     * cleared by the timer thread.
     */
    private volatile boolean endAtNextWake;

    /** The one instance behind the system clock is {@link #INSTANCE}; tests of this class make their own. */
    SystemTimer() {
        int stripes = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 4 - 1) << 1;
        stripes = Math.min(64, Math.max(4, stripes));
        this.mask = stripes - 1;
        this.inbox = new AtomicReferenceArray<>(stripes * PAD);
    }

    /** A thread the timer runs on, or a helper firing its share; {@link TimerEntry#onTimerThread()} recognises both. */
    static final class TimerThread extends Thread {
        TimerThread(Runnable body) {
            this(body, "cancelkit-timer");
        }

        TimerThread(Runnable body, String name) {
            super(null, body, name, 0, false);
            setDaemon(true);
        }
    }

    @Override
    public void arm(TimerEntry entry) {
        int slot = ((int) Thread.currentThread().threadId() & mask) * PAD;
        TimerEntry head;
        do {
            head = inbox.get(slot);
            entry.next = head;
        } while (!inbox.compareAndSet(slot, head, entry));
        // Invariant 3: the push happened before this read. Invariant 4: a first arm wakes a timer
        // that has stopped ticking.
        if (entry.deadline < parkedUntil || head == null && !ticking) {
            wake();
        }
    }

    private void wake() {
        Thread t = thread;
        if (t == null || !t.isAlive()) {
            t = start();
        }
        LockSupport.unpark(t);
    }

    private synchronized Thread start() {
        Thread t = thread;
        if (t == null || !t.isAlive()) { // invariant 6: a dead timer is replaced
            t = new TimerThread(this::loop);
            thread = t;
            t.start();
        }
        return t;
    }

    /**
     * Returns the number of entries currently in the heap (for statistics and tests).
     *
     * @return the number of entries currently in the heap (for statistics and tests)
     */
    public int heapSizeForTesting() {
        return heap.size();
    }

    /**
     * Test hook for invariant 6: makes the timer thread end at its next wake-up, through the same
     * {@code finally} as a thread that died, leaving what is in its inbox and heap to its replacement.
     * The next {@link #arm} that wakes it ends it; a test may instead unpark the returned thread.
     *
     * @return the thread that will end, or null when none was started (then nothing is set)
     */
    @Nullable Thread endAtNextWakeForTesting() {
        synchronized (this) { // with start(): the thread returned is the one that reads the flag
            Thread t = thread;
            if (t != null) {
                endAtNextWake = true;
            }
            return t;
        }
    }

    private void loop() {
        ArrayList<TimerEntry> due = new ArrayList<>();
        try {
            while (!endAtNextWake) {
                try {
                    tick(due);
                } catch (Throwable t) { // invariant 6: the timer's own bookkeeping failed; go on
                    due.clear();
                    report(t);
                }
            }
            endAtNextWake = false; // the test hook ended this thread; its replacement runs on
        } finally {
            ticking = false;
            parkedUntil = Long.MAX_VALUE; // invariant 6: the next arm wakes, finds the thread dead, restarts it
            handOver();
        }
    }

    /**
     * The ending timer thread's last act (invariant 6): it lets go of {@link #thread} under this monitor
     * and, if anything is armed, starts its replacement. An arm that read the ending thread as alive and
     * only unparked it pushed its entry before that read, so the look at the inbox here sees it; an arm
     * after the release finds no thread and starts one.
     */
    private synchronized void handOver() {
        if (thread == Thread.currentThread()) {
            thread = null;
        }
        if (!heap.isEmpty() || !inboxEmpty()) {
            start();
        }
    }

    private static void report(Throwable t) {
        Thread self = Thread.currentThread();
        try {
            self.getUncaughtExceptionHandler().uncaughtException(self, t);
        } catch (Throwable ignored) { // a failing handler must not stop the timer either
            // nothing else can be told
        }
    }

    private static boolean retired(TimerEntry e) {
        try {
            return e.isRetired();
        } catch (Throwable t) { // invariant 6: an entry that cannot say is dropped, and reported
            report(t);
            return true;
        }
    }

    private void tick(ArrayList<TimerEntry> due) {
        parkedUntil = Long.MIN_VALUE; // awake: arming threads need not wake us
        boolean busy = drainInbox();
        long now = System.nanoTime();
        TimerEntry top;
        while ((top = heap.peek()) != null && top.deadline - now <= 0) {
            heap.poll();
            if (!retired(top)) {
                due.add(top);
            }
        }
        if (due.size() >= FAN_OUT_MIN) {
            FanOut.fire(due); // invariant 7: fires the timer's own share here, the rest on helpers
        } else {
            fireAll(due);
        }
        due.clear();
        if (heap.size() >= purgeAt) {
            heap.removeIf(SystemTimer::retired);
            purgeAt = Math.max(1024, heap.size() * 2);
        }
        top = heap.peek();
        // Ticking only while arms keep arriving: a timer holding just long deadlines sleeps until the
        // earliest, and the first arm that needs it sooner wakes it (invariant 3).
        long wakeAt = top == null ? IDLE : busy ? Math.min(top.deadline, now + TICK_NANOS) : top.deadline;
        ticking = busy && top != null;
        parkedUntil = wakeAt;
        if (inboxEmpty()) { // invariant 3: re-check after publishing parkedUntil
            if (wakeAt == IDLE) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, wakeAt - System.nanoTime());
            }
        }
    }

    /** Fires each entry in its own {@code try} (invariant 6). */
    static void fireAll(List<TimerEntry> entries) {
        for (TimerEntry e : entries) {
            try {
                e.fire();
            } catch (Throwable t) {
                report(t);
            }
        }
    }

    private boolean inboxEmpty() {
        for (int i = 0; i <= mask; i++) {
            if (inbox.get(i * PAD) != null) {
                return false;
            }
        }
        return true;
    }

    /** Moves the inbox into the heap; returns whether it held anything. */
    private boolean drainInbox() {
        boolean any = false;
        for (int j = 0; j <= mask; j++) {
            int i = j * PAD;
            if (inbox.get(i) == null) {
                continue;
            }
            TimerEntry e = inbox.getAndSet(i, null);
            any |= e != null;
            while (e != null) {
                TimerEntry next = e.next;
                e.next = null;
                if (!retired(e)) {
                    heap.add(e);
                }
                e = next;
            }
        }
        return any;
    }
}
