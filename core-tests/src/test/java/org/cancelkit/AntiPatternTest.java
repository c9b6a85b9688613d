package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two anti-patterns, each shown impossible or reported by the library, each with a negative control
 * that shows the check would catch the anti-pattern.
 *
 * <ul>
 *   <li>A resource leaked on cancellation: a semaphore permit lost when the holder is cancelled
 *       between acquire and release. With {@link Bulkhead} the permit comes back whatever point the
 *       cancel lands at, for waiters and holders alike; the raw-semaphore version leaks.</li>
 *   <li>A worker that ignores its cancellation token: spawned, it never looks at the token.
 *       A {@link TaskGroup} task is bound to its token without asking, so its blocking calls
 *       are interrupted anyway; a worker that swallows the interrupt or never blocks is named, with
 *       its stack, by the bounded close; a thread spawned outside the group is an orphan the census
 *       finds.</li>
 * </ul>
 */
@org.junit.jupiter.api.Timeout(120)
class AntiPatternTest {

    static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    // ------------------------------------------------------------------ anti-pattern: a permit leaked on cancellation

    /** How a caller holds its permit. */
    enum Holder {
        /** {@link Bulkhead}: the permit is an AutoCloseable. */
        BULKHEAD,
        /** A raw semaphore released in a finally: the correct raw version. */
        RAW_FINALLY,
        /** A raw semaphore released after the work, not in a finally: the anti-pattern. */
        RAW_BAD
    }

    /** Result of one chaos round. */
    record Round(int limit, int available, int inUse, int waiting, int maxConcurrent, int cancelledWaiting,
                 int cancelledHolding, long acquired, long rejected, int calls, int entered) {}

    /**
     * {@code callers} callers, each bound to its own token, contend for {@code limit} permits on an
     * auto-advancing virtual clock; a chaos task cancels random callers at random times, so cancels land
     * on waiters and on holders at every point of their work.
     */
    @SuppressWarnings("try") // the documented idiom: a permit held by try-with-resources, never referenced
    static Round chaos(Holder how, long seed, int limit, int callers) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        Bulkhead bulkhead = Bulkhead.of("chaos", limit);
        Semaphore raw = new Semaphore(limit);
        AtomicInteger now = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger entered = new AtomicInteger();
        AtomicInteger cancelledWaiting = new AtomicInteger();
        AtomicInteger cancelledHolding = new AtomicInteger();
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> {
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                List<CancellationSource> tokens = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    CancellationSource mine = group.token().child();
                    tokens.add(mine);
                    long arrive = rnd.nextLong(100);
                    long work = 1 + rnd.nextLong(50);
                    int checks = rnd.nextInt(4);
                    group.fork("caller-" + i, () -> mine.call(() -> {
                        Cancellation.sleep(ms(arrive));
                        calls.incrementAndGet();
                        AtomicBoolean holding = new AtomicBoolean();
                        CheckedRunnable<InterruptedException> risky = () -> {
                            holding.set(true);
                            entered.incrementAndGet();
                            max.accumulateAndGet(now.incrementAndGet(), Math::max);
                            try {
                                for (int c = 0; c < checks; c++) {
                                    Cancellation.check();
                                    Cancellation.sleep(ms(work / (checks + 1) + 1));
                                }
                                Cancellation.sleep(ms(work));
                            } finally {
                                now.decrementAndGet();
                            }
                        };
                        try {
                            switch (how) {
                                case BULKHEAD -> {
                                    try (Bulkhead.Permit p = bulkhead.acquire()) {
                                        risky.run();
                                    }
                                }
                                case RAW_FINALLY -> {
                                    acquirePolling(raw);
                                    try {
                                        risky.run();
                                    } finally {
                                        raw.release();
                                    }
                                }
                                case RAW_BAD -> {
                                    acquirePolling(raw);
                                    risky.run(); // if cancelled here, the permit is never released
                                    raw.release();
                                }
                            }
                        } catch (CancelledException e) {
                            (holding.get() ? cancelledHolding : cancelledWaiting).incrementAndGet();
                            throw e;
                        }
                        return null;
                    }));
                }
                group.fork("chaos", () -> {
                    for (int i = 0; i < callers / 3; i++) {
                        Cancellation.sleep(ms(rnd.nextLong(1, 20)));
                        tokens.get(rnd.nextInt(tokens.size())).cancel("chaos");
                    }
                });
                group.join();
            }
        });
        Bulkhead.Statistics s = bulkhead.statistics();
        int available = how == Holder.BULKHEAD ? limit - s.inUse() : raw.availablePermits();
        return new Round(limit, available, s.inUse(), s.waiting(), max.get(), cancelledWaiting.get(),
                cancelledHolding.get(), s.acquired(), s.rejected(), calls.get(), entered.get());
    }

    /** A raw semaphore acquired the only way a virtual clock can drive: try, then a cancellable nap. */
    static void acquirePolling(Semaphore s) throws InterruptedException {
        while (!s.tryAcquire()) {
            Cancellation.sleep(ms(1));
        }
    }

    static long seed(String test) {
        long seed = Long.getLong("cancelkit.seed", System.nanoTime());
        System.out.println("AntiPatternTest." + test + " seed=" + seed + " (replay with -Dcancelkit.seed=" + seed + ")");
        return seed;
    }

    @Test
    @DisplayName("permit leak on cancellation impossible: waiters and holders cancelled at random points, every Bulkhead permit comes back")
    void bulkheadPermitsAllComeBack() throws Exception {
        long seed = seed("bulkheadPermitsAllComeBack");
        int cancelledWaiting = 0;
        int cancelledHolding = 0;
        for (int round = 0; round < 30; round++) {
            Round r = chaos(Holder.BULKHEAD, seed + round, 5, 60);
            String why = "seed " + (seed + round) + ": " + r;
            assertThat(r.available()).as(why).isEqualTo(5);
            assertThat(r.inUse()).as(why).isZero();
            assertThat(r.waiting()).as(why).isZero();
            assertThat(r.maxConcurrent()).as(why).isLessThanOrEqualTo(5);
            assertThat(r.acquired()).as(why).isEqualTo(r.entered());
            assertThat(r.acquired() + r.rejected()).as(why).isEqualTo(r.calls());
            cancelledWaiting += r.cancelledWaiting();
            cancelledHolding += r.cancelledHolding();
        }
        System.out.println("bulkhead chaos: cancelled while waiting " + cancelledWaiting + ", while holding " + cancelledHolding);
        assertThat(cancelledWaiting).as("the cancels landed on waiters").isPositive();
        assertThat(cancelledHolding).as("the cancels landed on holders").isPositive();
    }

    @Test
    @DisplayName("negative control: a raw semaphore released without finally leaks permits under the same chaos; "
            + "released in a finally, it does not")
    void rawSemaphoreLeaks() throws Exception {
        long seed = seed("rawSemaphoreLeaks");
        int leaked = 0;
        for (int round = 0; round < 10; round++) {
            Round bad = chaos(Holder.RAW_BAD, seed + round, 5, 60);
            leaked += 5 - bad.available();
            Round good = chaos(Holder.RAW_FINALLY, seed + round, 5, 60);
            assertThat(good.available()).as("seed " + (seed + round)).isEqualTo(5);
        }
        System.out.println("raw semaphore, release without finally: " + leaked + " permits leaked in 10 rounds");
        assertThat(leaked).isPositive();
    }

    // ------------------------------------------------------------------ anti-pattern: a worker that ignores its token

    @Test
    @DisplayName("ignored token made harmless: a forked worker that never looks at a token is still stopped at its blocking call")
    void workerWithoutTokenIsStoppedAnyway() throws Exception {
        LinkedBlockingQueue<String> jobs = new LinkedBlockingQueue<>();
        Queue<String> done = new ConcurrentLinkedQueue<>();
        AtomicReference<Thread> workerThread = new AtomicReference<>();
        TaskReport report;
        try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
            group.fork("worker", () -> {
                workerThread.set(Thread.currentThread());
                while (true) {
                    done.add(jobs.take()); // do_work(); no token in sight
                }
            });
            jobs.addAll(List.of("a", "b", "c"));
            while (done.size() < 3 || workerThread.get().getState() != Thread.State.WAITING) {
                Thread.yield(); // ordered step: the worker has done its jobs and waits for more
            }
            group.cancelAll("shutting down");
            report = group.join();
        }
        assertThat(done).containsExactly("a", "b", "c");
        assertThat(report.get("worker").orElseThrow().outcome()).isEqualTo(TaskOutcome.CANCELLED_WHILE_RUNNING);
        assertThat(workerThread.get().isAlive()).isFalse();
    }

    /** A worker that swallows every interrupt: it ignores the token in the only way left to it. */
    static void swallowingWorker(LinkedBlockingQueue<String> jobs, AtomicBoolean stop, CountDownLatch swallowed) {
        while (!stop.get()) {
            try {
                jobs.take();
            } catch (InterruptedException e) {
                swallowed.countDown(); // deliberately swallowed: this is the anti-pattern under test
            }
        }
    }

    /** A worker that never blocks and never checks: pure computation. */
    static void spinningWorker(AtomicBoolean stop, CountDownLatch started) {
        started.countDown();
        long n = 0;
        while (!stop.get()) {
            n++;
            Thread.onSpinWait();
        }
        assertThat(n).isNotNegative();
    }

    @Test
    @DisplayName("ignored token reported: workers that swallow the interrupt or never block are named by the bounded close, with their stacks")
    void stubbornWorkersAreNamed() throws Exception {
        VirtualClock clock = VirtualClock.create();
        LinkedBlockingQueue<String> jobs = new LinkedBlockingQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch swallowed = new CountDownLatch(1);
        CountDownLatch spinning = new CountDownLatch(1);
        CountDownLatch swallowerStarted = new CountDownLatch(1);
        Queue<Thread> threads = new ConcurrentLinkedQueue<>();
        AtomicReference<TaskReport> report = new AtomicReference<>();
        Thread owner = clock.fork("owner", () -> {
            TaskGroup group = TaskGroup.open(CompletionPolicy.supervise());
            group.fork("good", () -> Cancellation.sleep(Duration.ofHours(1)));
            group.fork("swallower", () -> {
                threads.add(Thread.currentThread());
                swallowerStarted.countDown();
                swallowingWorker(jobs, stop, swallowed);
            });
            group.fork("spinner", () -> {
                threads.add(Thread.currentThread());
                spinningWorker(stop, spinning);
            });
            swallowerStarted.await();
            spinning.await();
            report.set(group.close(Duration.ofSeconds(5)));
        });
        swallowed.await(); // the cancel reached the swallower, which ignored it
        for (Thread t : threads) {
            if (t.getName().equals("swallower")) {
                Forked.awaitBlockedIn(t, "LinkedBlockingQueue", "take"); // back to waiting for work
            }
        }
        TaskGroupBoundedCloseTest.awaitParticipants(clock, 3); // owner, swallower, spinner: "good" has ended
        clock.awaitParked(1);
        clock.advance(Duration.ofSeconds(5));
        clock.join(owner);
        try {
            TaskReport r = report.get();
            assertThat(r.abandoned()).containsExactlyInAnyOrder("swallower", "spinner");
            assertThat(r.cancelled()).containsExactly("good");
            assertThat(frames(r, "swallower")).contains("swallowingWorker");
            assertThat(frames(r, "spinner")).contains("spinningWorker");
            assertThat(threads).allMatch(Thread::isAlive);
        } finally {
            stop.set(true);
            jobs.add("wake up");
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    static List<String> frames(TaskReport r, String task) {
        return Arrays.stream(r.get(task).orElseThrow().stack()).map(StackTraceElement::getMethodName).toList();
    }

    @Test
    @DisplayName("negative control: a worker spawned with a raw thread escapes the group, and the thread census finds the orphan")
    void rawSpawnedWorkerIsAnOrphan() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        NoOrphanThreadsTest.Census census = new NoOrphanThreadsTest.Census();
        AtomicReference<Thread> escaped = new AtomicReference<>();
        try (TaskGroup group = TaskGroup.open()) {
            group.fork("spawner", census.trackRun(() -> {
                // a worker started on a bare thread, looping on its work: not forked into the group
                escaped.set(Thread.ofVirtual().start(census.trackRunnable(() -> spinningWorker(stop, started))));
                started.await();
            }));
            group.join();
        }
        try {
            assertThat(census.violations()).as("the census reports the escaped worker")
                    .anySatisfy(v -> assertThat(v).contains("still running"));
        } finally {
            stop.set(true);
            escaped.get().join();
        }
        assertThat(census.violations()).isEmpty();
    }
}
