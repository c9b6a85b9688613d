package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Virtual time, for every timer-driven feature of the core: advance to the deadline minus one
 * nanosecond, then one nanosecond more. Pass: not fired, then fired exactly once (callbacks counted),
 * and nothing more however far the clock then moves. Each test names the invariant its timer serves.
 */
@org.junit.jupiter.api.Timeout(60)
class VirtualTimeTest {

    static final Duration DEADLINE = Duration.ofMinutes(7).plusNanos(3);

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C4 virtual time: a Timeout fires at its deadline, not a nanosecond earlier, exactly once")
    void timeout_firesExactlyOnceAtDeadline(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        AtomicInteger fired = new AtomicInteger();
        Forked<String> body = threads.fork(() -> clock.call(() -> Timeout.call(DEADLINE, () -> {
            Cancellation.onCancel(fired::incrementAndGet);
            return new LinkedBlockingQueue<String>().take();
        })));
        body.awaitBlockedIn("LinkedBlockingQueue", "take");

        clock.advance(DEADLINE.minusNanos(1));
        assertThat(fired).as("deadline - 1 ns").hasValue(0);
        assertThat(body.isDone()).isFalse();
        assertThat(body.thread.isInterrupted()).isFalse();
        clock.advance(Duration.ofNanos(1));

        assertThat(body.joinFailure()).isInstanceOf(DeadlineExceededException.class);
        assertThat(fired).as("deadline").hasValue(1);
        clock.advance(Duration.ofDays(365));
        assertThat(fired).hasValue(1);
        assertThat(clock.pendingTimers()).isZero();
    }

    @Test
    @DisplayName("C3 virtual time: child(Duration) fires at its deadline exactly once, and its subtree with it")
    void childDuration_firesExactlyOnceAtDeadline() throws Exception {
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> {
            CancellationSource root = CancellationSource.create();
            CancellationSource child = root.child(DEADLINE);
            CancellationSource grandchild = child.child(Duration.ofDays(1)); // later: inherits the child's (C3)
            AtomicInteger onChild = new AtomicInteger();
            AtomicInteger onGrandchild = new AtomicInteger();
            child.onCancel(onChild::incrementAndGet);
            grandchild.onCancel(onGrandchild::incrementAndGet);
            assertThat(clock.pendingTimers()).as("one timer: the grandchild's own deadline is not earlier").isEqualTo(1);
            assertThat(clock.nextDeadline()).isEqualTo(DEADLINE.toNanos());

            clock.advance(DEADLINE.minusNanos(1));
            assertThat(onChild).hasValue(0);
            assertThat(child.remaining()).contains(Duration.ofNanos(1));
            clock.advance(Duration.ofNanos(1));

            assertThat(onChild).hasValue(1);
            assertThat(onGrandchild).hasValue(1);
            assertThat(child.reason().orElseThrow().kind()).isEqualTo(CancelReason.Kind.DEADLINE);
            assertThat(grandchild.reason()).isEqualTo(child.reason());
            assertThat(child.remaining()).contains(Duration.ZERO);
            assertThat(root.isCancelled()).isFalse();
            clock.advance(Duration.ofDays(2));
            assertThat(onChild).hasValue(1);
            assertThat(onGrandchild).hasValue(1);
        });
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C8 virtual time: a soft cancel's grace ends at its deadline exactly: one interrupt, not "
            + "a nanosecond earlier")
    void softGrace_hardensExactlyOnceAtDeadline(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource token = clock.call(CancellationSource::create);
        AtomicInteger interrupts = new AtomicInteger();
        AtomicInteger callbacks = new AtomicInteger();
        token.onCancel(callbacks::incrementAndGet);
        Forked<String> body = threads.fork(() -> clock.call(() -> token.call(() -> {
            try {
                return new LinkedBlockingQueue<String>().take();
            } catch (InterruptedException e) {
                interrupts.incrementAndGet(); // only counted: rethrown unchanged
                throw e;
            }
        })));
        body.awaitBlockedIn("LinkedBlockingQueue", "take");
        token.cancel(CancelReason.shutdown("drain"), DEADLINE);
        assertThat(callbacks).as("callbacks at once (C8)").hasValue(1);

        clock.advance(DEADLINE.minusNanos(1));
        assertThat(interrupts).hasValue(0);
        assertThat(body.isDone()).isFalse();
        clock.advance(Duration.ofNanos(1));

        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
        assertThat(interrupts).hasValue(1);
        clock.advance(Duration.ofDays(1));
        assertThat(callbacks).hasValue(1);
        assertThat(clock.pendingTimers()).isZero();
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C9 virtual time: a cancel action's escalation runs at the end of its grace exactly once")
    void escalation_firesExactlyOnceAtGrace(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource token = clock.call(CancellationSource::create);
        CountDownLatch free = new CountDownLatch(1);
        AtomicInteger actions = new AtomicInteger();
        AtomicInteger escalations = new AtomicInteger();
        CancelAction action = CancelAction.of(actions::incrementAndGet).withEscalation(DEADLINE, () -> {
            escalations.incrementAndGet();
            free.countDown();
        });
        Forked<Boolean> body = threads.fork(() -> clock.call(() -> token.call(() -> Cancellation.withCancelAction(action,
                () -> C9CancelActionRegionTest.awaitIgnoringInterrupts(free)))));
        body.awaitBlockedIn("CountDownLatch", "await");
        token.cancel();
        assertThat(actions).hasValue(1);

        clock.advance(DEADLINE.minusNanos(1));
        assertThat(escalations).hasValue(0);
        clock.advance(Duration.ofNanos(1));

        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
        assertThat(escalations).hasValue(1);
        clock.advance(Duration.ofDays(1));
        assertThat(actions).hasValue(1);
        assertThat(escalations).hasValue(1);
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C4 virtual time: Cancellation.sleep wakes at its end exactly, and returns normally")
    void sleep_wakesExactly(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        Forked<Long> body = threads.fork(() -> clock.call(() -> {
            Cancellation.sleep(DEADLINE);
            return clock.nanoTime();
        }));
        clock.awaitParked(1);
        clock.advance(DEADLINE.minusNanos(1));
        assertThat(clock.parkedThreads()).isEqualTo(1);
        assertThat(body.isDone()).isFalse();
        clock.advance(Duration.ofNanos(1));
        body.join();
        assertThat(body.value()).isEqualTo(DEADLINE.toNanos());
        assertThat(body.interruptedAfter()).isFalse();
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C3 virtual time: ten hours of minute-long sleeps inside a 10-hour timeout take no real time, "
            + "and the timeout fires at the 600th")
    void hoursOfVirtualTime(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        AtomicInteger naps = new AtomicInteger();
        Forked<Void> body = threads.forkRun(() -> clock.run(() -> Timeout.run(Duration.ofHours(10), () -> {
            while (true) {
                Cancellation.sleep(Duration.ofMinutes(1));
                naps.incrementAndGet();
            }
        })));
        for (int minute = 1; minute <= 600; minute++) {
            clock.awaitParked(1); // the sleeper is in its next sleep (a woken sleeper is uncounted at once)
            assertThat(clock.advanceToNextTimer()).isTrue();
            assertThat(clock.nanoTime()).isEqualTo(Duration.ofMinutes(minute).toNanos());
        }
        assertThat(body.joinFailure()).isInstanceOf(DeadlineExceededException.class);
        assertThat(naps).as("the 600th sleep ends at the deadline: the timeout's").hasValue(599);
        assertThat(clock.nanoTime()).isEqualTo(Duration.ofHours(10).toNanos());
    }

    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.DisplayName("Deadline.after(d) inside code bound to a virtual-clock token is on that clock")
    void deadlineAfterUsesTheBoundClock() throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource s = clock.call(CancellationSource::create);
        s.run(() -> {
            Deadline d = Deadline.after(Duration.ofSeconds(1));
            org.assertj.core.api.Assertions.assertThat(d.clock()).isSameAs(clock);
            try (CancellationSource child = Cancellation.current().child(d)) {
                org.assertj.core.api.Assertions.assertThat(child.remaining()).contains(Duration.ofSeconds(1));
            }
        });
        org.assertj.core.api.Assertions.assertThat(Deadline.after(Duration.ofSeconds(1)).clock())
                .as("control: outside any binding, the current clock").isSameAs(MonotonicClock.system());
    }
}
