package org.cancelkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * C11 and {@link SystemTimer} invariant 6: a timer thread that has ended is replaced at the next arm,
 * and the replacement fires what was armed before and after. The thread is ended through
 * {@link SystemTimer#endAtNextWakeForTesting()}, which leaves the loop through the same
 * {@code finally} as a thread that died. Every wait is for an event (an entry firing, a thread
 * ending or parking), bounded only so that a broken timer fails the test instead of hanging it; no
 * wait goes through cancelkit's own waits, whose limits are deadlines on the timer under test.
 */
@org.junit.jupiter.api.Timeout(120)
class SystemTimerRestartTest {
    private static final long LIMIT_SECONDS = 30;

    /** An entry due {@code inNanos} from now that records the thread it fired on. */
    private static TimerEntry recording(long inNanos, AtomicReference<Thread> firedOn, CountDownLatch fired) {
        return new TimerEntry(System.nanoTime() + inNanos) {
            @Override
            protected boolean isRetired() {
                return false;
            }

            @Override
            protected void fire() {
                firedOn.set(Thread.currentThread());
                fired.countDown();
            }
        };
    }

    /** Arms an entry due now on {@code timer} and returns the thread that fired it: the timer's thread. */
    private static Thread timerThreadOf(SystemTimer timer) throws InterruptedException {
        AtomicReference<Thread> on = new AtomicReference<>();
        CountDownLatch fired = new CountDownLatch(1);
        timer.arm(recording(0, on, fired));
        assertThat(fired.await(LIMIT_SECONDS, TimeUnit.SECONDS)).as("the timer fires an entry due now").isTrue();
        return on.get();
    }

    private static void awaitEnded(Thread t) throws InterruptedException {
        assertThat(t.join(Duration.ofSeconds(LIMIT_SECONDS))).as("%s ended", t).isTrue();
    }

    /** Waits until {@code t} parks with no time limit: the timer holds no live entry and sleeps. */
    private static void awaitParkedIdle(Thread t) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        while (t.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime() - end).as("%s parks idle", t).isNegative();
            Thread.yield();
        }
    }

    @Test
    @DisplayName("C11 (SystemTimer invariant 6): after the system timer's thread has ended, a deadline armed "
            + "afterwards still fires, on a new timer thread")
    void deadlineArmedAfterTheThreadEndedFires() throws Exception {
        SystemTimer timer = SystemTimer.INSTANCE;
        Thread first = timerThreadOf(timer);
        assertThat(timer.endAtNextWakeForTesting()).isSameAs(first);
        LockSupport.unpark(first);
        awaitEnded(first);

        CancellationSource root = CancellationSource.create(); // on the system clock, whose timer is INSTANCE
        CancellationSource child = root.child(Duration.ofMillis(1));
        CountDownLatch expired = new CountDownLatch(1);
        child.onCancel(expired::countDown);
        AtomicReference<Thread> on = new AtomicReference<>();
        CountDownLatch fired = new CountDownLatch(1);
        timer.arm(recording(1_000_000, on, fired));

        assertThat(expired.await(LIMIT_SECONDS, TimeUnit.SECONDS)).as("the deadline fired").isTrue();
        assertThat(child.reason().map(CancelReason::kind)).contains(CancelReason.Kind.DEADLINE);
        assertThat(fired.await(LIMIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(on.get()).as("a new timer thread").isNotSameAs(first).isInstanceOf(SystemTimer.TimerThread.class);
        assertThat(on.get().isAlive()).isTrue();
        assertThat(root.isCancelled()).isFalse();
        root.close();
    }

    @Test
    @DisplayName("C11 (SystemTimer invariant 6): an entry armed as the timer's thread ends is fired by the "
            + "replacement the ending thread starts, with no later arm")
    void anEntryArmedAsTheThreadEndsFiresWithoutAnotherArm() throws Exception {
        SystemTimer timer = new SystemTimer(); // its own: no other test arms it
        Thread first = timerThreadOf(timer);
        awaitParkedIdle(first);
        assertThat(timer.endAtNextWakeForTesting()).isSameAs(first);

        AtomicReference<Thread> beforeOn = new AtomicReference<>();
        CountDownLatch before = new CountDownLatch(1);
        timer.arm(recording(0, beforeOn, before)); // wakes the parked thread, which ends before it drains
        awaitEnded(first);

        // No arm comes after: only the ending thread's hand-over can get the entry fired.
        assertThat(before.await(LIMIT_SECONDS, TimeUnit.SECONDS)).as("the entry armed as the thread ended fired")
                .isTrue();
        Thread second = beforeOn.get();
        assertThat(second).isNotSameAs(first).isInstanceOf(SystemTimer.TimerThread.class);

        awaitParkedIdle(second); // this timer's thread is ended, so the test leaves no thread behind
        assertThat(timer.endAtNextWakeForTesting()).isSameAs(second);
        LockSupport.unpark(second);
        awaitEnded(second);
    }

    @Test
    @DisplayName("C11 negative control: an idle timer's thread that ends starts no replacement; the next arm "
            + "does, so the first test's firing is the replacement's doing")
    void negativeControl_anIdleTimerThatEndsStartsNothingUntilAnArm() throws Exception {
        SystemTimer timer = new SystemTimer();
        Thread first = timerThreadOf(timer);
        awaitParkedIdle(first);
        Set<Thread> before = timerThreads();
        assertThat(timer.endAtNextWakeForTesting()).isSameAs(first);
        LockSupport.unpark(first);
        awaitEnded(first);
        Set<Thread> started = timerThreads();
        started.removeAll(before);
        assertThat(started).as("no replacement for a timer with nothing armed").isEmpty();

        AtomicReference<Thread> on = new AtomicReference<>();
        CountDownLatch fired = new CountDownLatch(1);
        timer.arm(recording(0, on, fired));
        assertThat(fired.await(LIMIT_SECONDS, TimeUnit.SECONDS)).as("the arm started a new thread").isTrue();
        Thread second = on.get();
        assertThat(second).isNotSameAs(first);

        awaitParkedIdle(second);
        assertThat(timer.endAtNextWakeForTesting()).isSameAs(second);
        LockSupport.unpark(second);
        awaitEnded(second);
    }

    /** The live timer threads of the process (this test's timers, the shared one and its helpers). */
    private static Set<Thread> timerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t instanceof SystemTimer.TimerThread && t.isAlive())
                .collect(Collectors.toCollection(HashSet::new));
    }
}
