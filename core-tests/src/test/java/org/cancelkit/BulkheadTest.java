package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Bulkhead}: limit 10 under 100 concurrent callers on virtual time (max concurrency ≤ 10,
 * rejected + completed = 100), a cancelled waiter that frees its place at once, permits returned on
 * every exit, acquisition as a cancellation point bounded by the deadline, and an exploration.
 */
@org.junit.jupiter.api.Timeout(60)
class BulkheadTest {

    static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    /** Counts holders to measure the concurrency a bulkhead lets through. */
    static final class Meter {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger rejected = new AtomicInteger();

        void enter() {
            max.accumulateAndGet(now.incrementAndGet(), Math::max);
        }

        void leave() {
            now.decrementAndGet();
        }
    }

    @SuppressWarnings("try") // the documented idiom: a permit held by try-with-resources, never referenced
    @Test
    @DisplayName("H2 limit 10, 100 callers waiting at most 250 ms for a 100 ms job: 30 complete, 70 give up, never more than 10 at once")
    void limitTenHundredCallers() throws Exception {
        Bulkhead bulkhead = Bulkhead.of("db", 10);
        Meter m = new Meter();
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> {
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                for (int i = 0; i < 100; i++) {
                    group.fork("caller-" + i, () -> {
                        Optional<Bulkhead.Permit> permit = bulkhead.acquire(ms(250));
                        if (permit.isEmpty()) {
                            m.rejected.incrementAndGet();
                            return;
                        }
                        try (Bulkhead.Permit p = permit.get()) {
                            m.enter();
                            Cancellation.sleep(ms(100));
                            m.leave();
                        }
                        m.completed.incrementAndGet();
                    });
                }
                assertThat(group.join().failed()).isEmpty();
            }
        });
        Bulkhead.Statistics s = bulkhead.statistics();
        System.out.println("bulkhead 10 / 100 callers: " + s + ", max concurrency " + m.max);
        assertThat(m.max.get()).isEqualTo(10);
        assertThat(m.completed.get() + m.rejected.get()).isEqualTo(100);
        assertThat(m.completed.get()).as("three rounds of 10 fit in 250 ms").isEqualTo(30);
        assertThat(s.rejected() + m.completed.get()).isEqualTo(100);
        assertThat(s.acquired()).isEqualTo(m.completed.get());
        assertThat(s.rejected()).isEqualTo(70);
        assertThat(s.inUse()).isZero();
        assertThat(s.waiting()).isZero();
        assertThat(s.name()).isEqualTo("db");
        assertThat(s.limit()).isEqualTo(10);
        assertThat(clock.nanoTime()).isEqualTo(ms(300).toNanos());
    }

    @SuppressWarnings("try") // the documented idiom: a permit held by try-with-resources, never referenced
    @Test
    @DisplayName("H2 limit 10, 100 callers of every kind (try, timed, deadline-bound, cancelled), seeded: the accounting holds")
    void limitTenHundredMixedCallers() throws Exception {
        long seed = Long.getLong("cancelkit.seed", System.nanoTime());
        System.out.println("BulkheadTest.limitTenHundredMixedCallers seed=" + seed + " (replay with -Dcancelkit.seed=" + seed + ")");
        for (int round = 0; round < 20; round++) {
            SplittableRandom rnd = new SplittableRandom(seed + round);
            Bulkhead bulkhead = Bulkhead.of(10);
            Meter m = new Meter();
            AtomicInteger cancelled = new AtomicInteger();
            VirtualClock clock = VirtualClock.create().autoAdvance();
            clock.run(() -> {
                try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                    for (int i = 0; i < 100; i++) {
                        int kind = rnd.nextInt(4);
                        long startAt = rnd.nextLong(200);
                        long hold = 1 + rnd.nextLong(150);
                        long wait = rnd.nextLong(300);
                        group.fork("caller-" + i, () -> {
                            Cancellation.sleep(ms(startAt));
                            Optional<Bulkhead.Permit> permit;
                            try {
                                permit = switch (kind) {
                                    case 0 -> bulkhead.tryAcquire();
                                    case 1 -> bulkhead.acquire(ms(wait));
                                    case 2 -> Timeout.callOrEmpty(ms(wait), bulkhead::acquire);
                                    default -> {
                                        CancellationSource mine = Cancellation.current().child();
                                        try (TaskGroup canceller = TaskGroup.open()) {
                                            canceller.fork("cancel-later", () -> {
                                                Cancellation.sleep(ms(wait));
                                                mine.cancel("gave up");
                                            });
                                            try {
                                                yield Optional.of(mine.call(bulkhead::acquire));
                                            } catch (CancelledException e) {
                                                cancelled.incrementAndGet();
                                                yield Optional.empty();
                                            } finally {
                                                canceller.cancelAll("done");
                                                canceller.join();
                                            }
                                        }
                                    }
                                };
                            } catch (CancelledException e) {
                                throw new AssertionError("unexpected", e);
                            }
                            if (permit.isEmpty()) {
                                m.rejected.incrementAndGet();
                                return;
                            }
                            try (Bulkhead.Permit p = permit.get()) {
                                m.enter();
                                Cancellation.sleep(ms(hold));
                                m.leave();
                            }
                            m.completed.incrementAndGet();
                        });
                    }
                    assertThat(group.join().failed()).as("seed " + seed).isEmpty();
                }
            });
            Bulkhead.Statistics s = bulkhead.statistics();
            assertThat(m.max.get()).as("seed " + seed).isLessThanOrEqualTo(10);
            assertThat(m.completed.get() + m.rejected.get()).isEqualTo(100);
            assertThat(s.rejected() + m.completed.get()).as("seed %d round %d: %s", seed, round, s).isEqualTo(100);
            assertThat(s.acquired()).as("seed %d round %d: %s", seed, round, s).isEqualTo(m.completed.get());
            assertThat(s.inUse()).isZero();
            assertThat(s.waiting()).isZero();
        }
    }

    @Test
    @DisplayName("H2 a cancelled waiter frees its place at once: the next waiter gets the permit, the cancelled one never held it")
    void cancelledWaiterFreesItsPlace() throws Exception {
        Bulkhead bulkhead = Bulkhead.of("one", 1);
        Bulkhead.Permit held = bulkhead.tryAcquire().orElseThrow();
        CancellationSource first = CancellationSource.create();
        CancellationSource second = CancellationSource.create();
        Forked<Bulkhead.Permit> w1 = ThreadKind.VIRTUAL.fork(() -> first.call(bulkhead::acquire));
        awaitWaiting(bulkhead, 1);
        Forked<Bulkhead.Permit> w2 = ThreadKind.VIRTUAL.fork(() -> second.call(bulkhead::acquire));
        awaitWaiting(bulkhead, 2);

        first.cancel("caller went away");
        assertThat(w1.joinFailure()).isInstanceOf(CancelledException.class);
        assertThat(bulkhead.statistics().waiting()).as("the cancelled waiter left the queue").isEqualTo(1);
        assertThat(bulkhead.statistics().rejected()).isEqualTo(1);

        held.close();
        Bulkhead.Permit p2 = w2.join().value();
        assertThat(bulkhead.statistics().inUse()).isEqualTo(1);
        assertThat(bulkhead.statistics().waiting()).isZero();
        p2.close();
        assertThat(bulkhead.statistics()).isEqualTo(new Bulkhead.Statistics("one", 1, 0, 0, 1, 2));
    }

    @Test
    @DisplayName("regression: a waiter cancelled while the permit was being handed to it was counted acquired and rejected")
    void permitHandedToACancelledWaiterGoesToTheNext() throws Exception {
        Bulkhead bulkhead = Bulkhead.of("one", 1);
        Bulkhead.Permit held = bulkhead.tryAcquire().orElseThrow();
        CancellationSource first = CancellationSource.create();
        Forked<Bulkhead.Permit> w1 = ThreadKind.VIRTUAL.fork(() -> first.call(bulkhead::acquire));
        awaitWaiting(bulkhead, 1);
        Forked<Bulkhead.Permit> w2 = ThreadKind.VIRTUAL.fork(bulkhead::acquire);
        awaitWaiting(bulkhead, 2);
        // Hold the bulkhead's monitor: the cancelled first waiter stops at the door on its way out,
        // and the permit is handed to it (it is still first in the queue) before it can leave.
        synchronized (bulkhead) {
            first.cancel("caller went away");
            Forked.awaitBlockedIn(w1.thread, "Bulkhead", "leave");
            held.close(); // re-enters the monitor: hands the permit to the first waiter
        }
        assertThat(w1.joinFailure()).isInstanceOf(CancelledException.class);
        Bulkhead.Permit p2 = w2.join().value(); // passed straight on by the cancelled waiter
        Bulkhead.Statistics s = bulkhead.statistics();
        assertThat(s.inUse()).isEqualTo(1);
        assertThat(s.rejected()).isEqualTo(1);
        assertThat(s.acquired()).as("handed out: the test's permit and the second waiter's; " + s).isEqualTo(2);
        p2.close();
        assertThat(bulkhead.statistics().inUse()).isZero();
    }

    @Test
    @DisplayName("acquire waits at most until the current deadline, on virtual time, and counts the caller rejected")
    void acquireBoundedByDeadline() throws Exception {
        Bulkhead bulkhead = Bulkhead.of(1);
        Bulkhead.Permit held = bulkhead.tryAcquire().orElseThrow();
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> assertThatThrownBy(() -> Timeout.call(Duration.ofSeconds(1), bulkhead::acquire))
                .isInstanceOf(DeadlineExceededException.class));
        assertThat(clock.nanoTime()).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(bulkhead.statistics().waiting()).isZero();
        assertThat(bulkhead.statistics().rejected()).isEqualTo(1);
        assertThat(bulkhead.acquire(Duration.ZERO)).as("a zero wait on a full bulkhead").isEmpty();
        assertThat(bulkhead.statistics().rejected()).isEqualTo(2);
        held.close();
        assertThat(bulkhead.statistics().inUse()).isZero();
    }

    @Test
    @DisplayName("regression: acquire on a cancelled token took a free permit; a cancellation point must throw")
    void acquireOnCancelledTokenThrowsEvenWhenFree() throws Exception {
        Bulkhead bulkhead = Bulkhead.of(2);
        CancellationSource token = CancellationSource.create();
        token.cancel("already gone");
        assertThatThrownBy(() -> token.call(bulkhead::acquire)).isInstanceOf(CancelledException.class);
        assertThatThrownBy(() -> token.call(() -> bulkhead.acquire(Duration.ofSeconds(1)))).isInstanceOf(CancelledException.class);
        assertThatThrownBy(() -> token.call(() -> bulkhead.call(() -> "work"))).isInstanceOf(CancelledException.class);
        Bulkhead.Statistics s = bulkhead.statistics();
        assertThat(s.inUse()).isZero();
        assertThat(s.acquired()).isZero();
        assertThat(s.rejected()).isEqualTo(3);
    }

    @Test
    @DisplayName("permit leak on cancellation made impossible: the permit comes back when the body throws or is cancelled")
    void permitBackOnEveryExit() throws Exception {
        Bulkhead bulkhead = Bulkhead.of(1);
        IOException boom = new IOException("risky operation failed");
        assertThatThrownBy(() -> bulkhead.call(() -> {
            throw boom;
        })).isSameAs(boom);
        assertThat(bulkhead.statistics().inUse()).isZero();
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> assertThatThrownBy(() -> Timeout.call(ms(10), () -> bulkhead.call(() -> {
            Cancellation.sleep(Duration.ofSeconds(10)); // risky_operation().await, cancelled here
            return "never";
        }))).isInstanceOf(DeadlineExceededException.class));
        assertThat(bulkhead.statistics().inUse()).isZero();
        assertThat(bulkhead.call(() -> "again")).isEqualTo("again");
    }

    @Test
    @DisplayName("a permit is returned exactly once, however often it is closed; tryAcquire respects the queue")
    void permitClosedTwiceAndFairness() throws Exception {
        Bulkhead bulkhead = Bulkhead.of(1);
        Bulkhead.Permit p = bulkhead.tryAcquire().orElseThrow();
        Forked<Bulkhead.Permit> waiter = ThreadKind.VIRTUAL.fork(bulkhead::acquire);
        awaitWaiting(bulkhead, 1);
        p.close();
        Bulkhead.Permit q = waiter.join().value();
        p.close(); // harmless: must not free the permit the waiter now holds
        assertThat(bulkhead.statistics().inUse()).isEqualTo(1);
        assertThat(bulkhead.tryAcquire()).isEmpty();
        q.close();
        // a free permit with a waiter queued is not up for grabs by tryAcquire
        Bulkhead.Permit r = bulkhead.tryAcquire().orElseThrow();
        Forked<Bulkhead.Permit> queued = ThreadKind.VIRTUAL.fork(bulkhead::acquire);
        awaitWaiting(bulkhead, 1);
        r.close();
        assertThat(bulkhead.tryAcquire()).as("the permit went to the queued waiter").isEmpty();
        queued.join().value().close();
        assertThat(bulkhead.statistics().inUse()).isZero();
        assertThat(bulkhead.toString()).contains("inUse=0");
    }

    @Test
    @DisplayName("bad input: limit below 1, a null name, a negative wait")
    void badInput() {
        assertThatThrownBy(() -> Bulkhead.of(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> Bulkhead.of(null, 1)).isInstanceOf(NullPointerException.class).hasMessage("name");
        assertThatThrownBy(() -> Bulkhead.of(1).acquire(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bulkhead.of(1).call(null)).isInstanceOf(NullPointerException.class);
    }

    static void awaitWaiting(Bulkhead b, int n) {
        long end = System.nanoTime() + Forked.LIMIT.toNanos();
        while (b.statistics().waiting() != n) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("expected " + n + " waiting, saw " + b.statistics());
            }
            Thread.yield();
        }
    }

    /**
     * Four tasks through a bulkhead of two, by {@code call}, a timed acquire and {@code tryAcquire}:
     * permits all back, accounting exact, no thread left.
     */
    static final class BulkheadCase implements TaskGroupPointExplorer.Case {
        final Bulkhead bulkhead = Bulkhead.of(2);
        final Meter m = new Meter();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger entered = new AtomicInteger();
        final RaceTest.Contenders threads = new RaceTest.Contenders();

        @SuppressWarnings("try") // a permit held by try-with-resources, never referenced
        @Override
        public Object call() throws Exception {
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                for (int i = 0; i < 4; i++) {
                    long hold = 10L * (i + 1);
                    int kind = i % 3;
                    CheckedCallable<Void, InterruptedException> work = () -> {
                        entered.incrementAndGet();
                        m.enter();
                        try {
                            Cancellation.check();
                            Cancellation.sleep(ms(hold));
                        } finally {
                            m.leave();
                        }
                        m.completed.incrementAndGet();
                        return null;
                    };
                    group.fork("caller-" + i, threads.track("caller-" + i, () -> {
                        calls.incrementAndGet();
                        if (kind == 0) {
                            return bulkhead.call(work);
                        }
                        Optional<Bulkhead.Permit> permit = kind == 1 ? bulkhead.acquire(ms(15)) : bulkhead.tryAcquire();
                        if (permit.isPresent()) {
                            try (Bulkhead.Permit p = permit.get()) {
                                return work.call();
                            }
                        }
                        return null;
                    }));
                }
                return group.join();
            }
        }

        @Override
        public void check(TaskGroupPointExplorer.Run run) throws Exception {
            threads.assertAllEnded();
            Bulkhead.Statistics s = bulkhead.statistics();
            assertThat(s.inUse()).as("permits all back: " + s).isZero();
            assertThat(s.waiting()).as("no waiter left: " + s).isZero();
            assertThat(m.max.get()).isLessThanOrEqualTo(2);
            assertThat(s.acquired()).as("acquired = bodies entered: " + s).isEqualTo(entered.get());
            assertThat(s.rejected()).as("rejected = calls that never entered: " + s).isEqualTo(calls.get() - entered.get());
            if (!run.cancelled()) {
                assertThat(m.completed.get() + s.rejected()).isEqualTo(4);
            }
        }
    }

    @Test
    @DisplayName("H2 cancellation-point exploration of a bulkhead under contention: permits all back, nothing left running")
    void explored() throws Exception {
        TaskGroupPointExplorer.Result r = TaskGroupPointExplorer.explore(BulkheadCase::new);
        System.out.println("bulkhead: " + r);
        assertThat(r.points()).isGreaterThanOrEqualTo(8);
        assertThat(r.violations()).isEmpty();
    }
}
