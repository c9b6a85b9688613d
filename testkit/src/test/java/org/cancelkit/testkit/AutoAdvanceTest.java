package org.cancelkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CompletionPolicy;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.MonotonicClock;
import org.cancelkit.TaskGroup;
import org.cancelkit.TaskReport;
import org.cancelkit.Timeout;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Virtual time through the extension: a 1-hour timeout fires at once, and a body that never waits in
 * a cancelkit wait is never fast-forwarded (the negative control).
 */
@CancelkitTest
class AutoAdvanceTest {
    private static final long HOUR = Duration.ofHours(1).toNanos();

    private VirtualClock seenByBeforeEach;

    @BeforeEach
    void setUp(VirtualClock clock) {
        seenByBeforeEach = clock;
        assertThat(MonotonicClock.current()).isSameAs(clock); // bound for @BeforeEach too
    }

    @Test
    void theTestGetsTheClockThatIsBoundForIt(VirtualClock clock) {
        assertThat(MonotonicClock.current()).isSameAs(clock);
        assertThat(clock).isSameAs(seenByBeforeEach);
        assertThat(clock.nanoTime()).isZero();
    }

    // tag::autoAdvance[]
    @Test
    void aOneHourTimeoutFiresAtOnce(VirtualClock clock) {
        assertThatThrownBy(() -> Timeout.run(Duration.ofHours(1), () -> Cancellation.sleep(Duration.ofDays(1))))
                .isInstanceOf(DeadlineExceededException.class);
        assertThat(clock.nanoTime()).isEqualTo(Duration.ofHours(1).toNanos()); // exactly the deadline
    }
    // end::autoAdvance[]

    @Test
    void forkedParticipantsWaitingTogetherAreFastForwardedToEachDeadlineInTurn(VirtualClock clock) throws Exception {
        long[] wokeAt = new long[2];
        Thread a = clock.fork("a", () -> {
            Cancellation.sleep(Duration.ofMinutes(10));
            wokeAt[0] = clock.nanoTime();
        });
        Thread b = clock.fork("b", () -> {
            Cancellation.sleep(Duration.ofMinutes(30));
            wokeAt[1] = clock.nanoTime();
        });
        clock.join(a); // a cancelkit wait: the test thread counts as parked
        clock.join(b);
        assertThat(wokeAt).containsExactly(Duration.ofMinutes(10).toNanos(), Duration.ofMinutes(30).toNanos());
    }

    @Test
    void aTaskGroupsTasksAreParticipantsAndItsJoinIsALibraryWait(VirtualClock clock) throws Exception {
        try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
            group.fork("hour", () -> Cancellation.sleep(Duration.ofHours(1)));
            group.fork("day", () -> Cancellation.sleep(Duration.ofDays(1)));
            TaskReport report = group.join(); // every participant waits: the clock jumps twice
            assertThat(report.completed()).containsExactlyInAnyOrder("hour", "day");
        }
        assertThat(clock.nanoTime()).isEqualTo(Duration.ofDays(1).toNanos());
    }

    @Test
    void aBodyThatNeverWaitsInALibraryCallIsNotFastForwarded(VirtualClock clock) throws Exception {
        CancellationSource hour = CancellationSource.create().child(Duration.ofHours(1));
        // A participant parked in a 1-day sleep, while the test thread blocks outside cancelkit (a queue):
        // not every participant waits in a library wait, so time must hold still.
        Thread sleeper = clock.fork("sleeper", () -> Cancellation.sleep(Duration.ofDays(1)));
        BlockingQueue<long[]> seen = new ArrayBlockingQueue<>(1);
        Thread observer = Thread.ofVirtual().start(() -> { // not a participant: it only looks
            try {
                clock.awaitParked(1);
                seen.add(new long[] {clock.nanoTime(), hour.isCancelled() ? 1 : 0});
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // nothing is queued: the test's poll below says so
            }
        });
        long[] atThatMoment = seen.poll(30, TimeUnit.SECONDS); // a liveness guard, not a timing assertion
        assertThat(atThatMoment).as("the observer saw the sleeper parked").isNotNull();
        observer.join();
        for (int i = 0; i < 100_000; i++) {
            hour.isCancelled(); // computing: still no library wait
        }
        assertThat(atThatMoment).containsExactly(0, 0);
        assertThat(clock.nanoTime()).isZero();
        assertThat(hour.isCancelled()).isFalse();

        // The control: once the test thread waits in a library call too, the clock jumps.
        clock.join(sleeper);
        assertThat(hour.isCancelled()).isTrue();
        assertThat(clock.nanoTime()).isEqualTo(Duration.ofDays(1).toNanos());
    }

    @Test
    void aThreadOutsideTheTestWaitingOnItsTokensDoesNotFastForwardTheBusyTest(VirtualClock clock) throws Exception {
        CancellationSource hour = CancellationSource.create().child(Duration.ofHours(1));
        CancellationSource gate = CancellationSource.create();
        Thread outsider = Thread.ofVirtual().name("outsider").start(() -> { // not a participant
            try {
                gate.awaitCancellation();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // ends anyway; the test looks at the clock only
            }
        });
        clock.awaitParked(1);
        awaitParkedInLibraryWait(outsider); // past the point where a jump would have happened
        assertThat(clock.nanoTime()).isZero(); // the test thread is busy here: time holds still
        assertThat(hour.isCancelled()).isFalse();
        gate.cancel();
        outsider.join();
    }

    /** Spins until {@code t} is parked inside cancelkit's wait (not, say, on a lock on its way there). */
    private static void awaitParkedInLibraryWait(Thread t) {
        long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            StackTraceElement[] stack = t.getStackTrace();
            for (int i = 0; i + 1 < stack.length; i++) {
                if (stack[i].getClassName().equals("java.util.concurrent.locks.LockSupport")
                        && stack[i + 1].getClassName().equals("org.cancelkit.Waits")) {
                    return;
                }
            }
            if (System.nanoTime() - giveUp > 0) {
                throw new AssertionError(t + " did not park in a cancelkit wait within 30 s");
            }
            Thread.onSpinWait();
        }
    }

    @Nested
    @CancelkitTest(autoAdvance = false)
    class WithoutAutoAdvance {
        @Test
        void theSameTimeoutWaitsUntilTheTestAdvancesTheClock(VirtualClock clock) throws Exception {
            Thread waiter = clock.fork("waiter", () -> {
                try {
                    Timeout.run(Duration.ofHours(1), () -> Cancellation.sleep(Duration.ofDays(1)));
                } catch (DeadlineExceededException expected) {
                    // what the test waits for
                }
            });
            clock.awaitParked(1);
            assertThat(clock.nanoTime()).isZero();
            assertThat(clock.pendingTimers()).isPositive();
            clock.advance(Duration.ofHours(1).minusNanos(1));
            assertThat(waiter.isAlive()).isTrue();
            assertThat(clock.parkedThreads()).isEqualTo(1); // deadline - 1 ns: not fired
            clock.advance(Duration.ofNanos(1));
            clock.join(waiter);
            assertThat(clock.nanoTime()).isEqualTo(HOUR);
        }
    }
}
