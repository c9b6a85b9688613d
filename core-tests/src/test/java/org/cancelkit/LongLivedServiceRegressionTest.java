package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.testkit.VirtualClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ten defects of a long-lived service's core semantics, one reproduction each, named after the
 * item it reproduces: level-triggered delivery (1), a timeout inside a grace period (2), children that
 * unlink (3), callOrEmpty's own deadline only (4), soft-cancel bookkeeping (5), a long-lived group
 * (6), O(1) depth (7), the timer (8), the exact C4 promise (9) and the read-only view (10). Each
 * that could pass by accident has its negative control.
 */
class LongLivedServiceRegressionTest {

    static java.util.stream.Stream<ThreadKind> kinds() {
        return ThreadKind.all();
    }

    // ---------------------------------------------------------------- 1: level-triggered

    @ParameterizedTest(name = "item 1 (C4 level-triggered): a blocking call in unshielded cleanup is interrupted, {0} thread")
    @MethodSource("kinds")
    void item1_cleanupBlockingCallIsInterruptedAgain(ThreadKind kind) throws Exception {
        CancellationSource request = CancellationSource.create();
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(1);
        AtomicReference<String> cleanup = new AtomicReference<>("not reached");
        Forked<Void> body = kind.forkRun(() -> request.run(() -> {
            try {
                Thread.sleep(60_000); // exists only to be interrupted by the cancel
            } finally {
                try {
                    String got = queue.poll(60, TimeUnit.SECONDS);
                    cleanup.set("poll returned " + got);
                } catch (InterruptedException e) {
                    cleanup.set("interrupted");
                    throw e;
                }
            }
        }));
        body.awaitBlockedIn("Thread", "sleep");
        request.cancel("client went away");
        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
        assertThat(cleanup.get()).as("the poll in the finally is a cancellation point too").isEqualTo("interrupted");
    }

    @ParameterizedTest(name = "item 1 negative control (C6): the same cleanup inside a shield is not interrupted, {0} thread")
    @MethodSource("kinds")
    void item1_negativeControl_shieldedCleanupBlocks(ThreadKind kind) throws Exception {
        CancellationSource request = CancellationSource.create();
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(1);
        AtomicReference<String> cleanup = new AtomicReference<>("not reached");
        Forked<Void> body = kind.forkRun(() -> request.run(() -> {
            try {
                Thread.sleep(60_000);
            } finally {
                Cancellation.shielded(Duration.ofSeconds(60), () -> {
                    cleanup.set("poll returned " + queue.poll(60, TimeUnit.SECONDS));
                });
            }
        }));
        body.awaitBlockedIn("Thread", "sleep");
        request.cancel("client went away");
        body.awaitBlockedIn("ArrayBlockingQueue", "poll");
        Thread.sleep(3 * Redelivery.PERIOD_NANOS / 1_000_000 + 5); // several redelivery rounds pass it by
        queue.add("flushed");
        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
        assertThat(cleanup.get()).isEqualTo("poll returned flushed");
    }

    // ---------------------------------------------------------------- 2: timeout in a grace period

    /** A body blocked in a timeout that it started inside its root's soft-cancel grace of 3 s. */
    private record InGrace(VirtualClock clock, CancellationSource root, Forked<Void> body,
            AtomicReference<Throwable> thrown, AtomicLong at) {
        /** When (virtual time) the timeout threw; null while it has not. */
        @Nullable Duration endedAt() {
            long n = at.get();
            return n < 0 ? null : Duration.ofNanos(n);
        }
    }

    /** Starts, on a thread of {@code kind}, a body that soft-cancels its root and then blocks in a timeout. */
    private static InGrace timeoutInGrace(ThreadKind kind, Duration timeout) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource root = clock.call(CancellationSource::create);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicLong at = new AtomicLong(-1);
        Forked<Void> body = kind.forkRun(() -> root.run(() -> {
            root.cancel(CancelReason.shutdown("drain"), Duration.ofSeconds(3));
            try {
                Timeout.call(timeout, () -> {
                    Thread.sleep(60_000);
                    return 1;
                });
            } catch (RuntimeException e) {
                thrown.set(e);
                at.set(clock.nanoTime());
            }
        }));
        body.awaitBlockedIn("Thread", "sleep");
        return new InGrace(clock, root, body, thrown, at);
    }

    @ParameterizedTest(name = "item 2 (C8, C3): a timeout started during a soft cancel's grace period fires at its own deadline, {0} thread")
    @MethodSource("kinds")
    void item2_timeoutInsideGracePeriodFires(ThreadKind kind) throws Exception {
        InGrace g = timeoutInGrace(kind, Duration.ofMillis(100));
        g.clock().advance(Duration.ofMillis(100));
        g.body().join();
        assertThat(g.endedAt()).as("stopped at its own 100 ms, not at the grace's 3 s").isEqualTo(Duration.ofMillis(100));
        assertThat(g.thrown().get()).as("with the first reason (C2)").isInstanceOf(CancelledException.class);
        assertThat(((CancelledException) g.thrown().get()).reason().kind()).isEqualTo(CancelReason.Kind.SHUTDOWN);
        assertThat(g.root().node().isHard()).as("the root itself is still in its grace").isFalse();
    }

    @ParameterizedTest(name = "item 2 negative control (C8): a timeout whose deadline is past the grace runs on through "
            + "the same 100 ms and is stopped by the grace, at 3 s, {0} thread")
    @MethodSource("kinds")
    void item2_negativeControl_laterTimeoutEndsWithTheGrace(ThreadKind kind) throws Exception {
        InGrace g = timeoutInGrace(kind, Duration.ofSeconds(10));
        g.clock().advance(Duration.ofMillis(100));
        // nothing is due before 3 s, so nothing can stop it now: what stops item 2's timeout at 100 ms is
        // its own deadline, and the time measured there tells it from the grace
        assertThat(g.body().isDone()).isFalse();
        assertThat(g.body().thread.isInterrupted()).as("a soft cancel interrupts nobody (C8)").isFalse();
        g.clock().advance(Duration.ofMillis(2_900));
        g.body().join();
        assertThat(g.endedAt()).as("stopped by the hardening at the grace's end").isEqualTo(Duration.ofSeconds(3));
        assertThat(g.thrown().get()).isInstanceOf(CancelledException.class);
        assertThat(((CancelledException) g.thrown().get()).reason().kind()).isEqualTo(CancelReason.Kind.SHUTDOWN);
        assertThat(g.root().node().isHard()).isTrue();
    }

    // ---------------------------------------------------------------- 3: children unlink

    @Test
    @DisplayName("item 3 (lifetimes): 100,000 children that expire or are cancelled without close leave no link")
    void item3_endedChildrenUnlink() throws Exception {
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> {
            CancellationSource parent = CancellationSource.create();
            for (int i = 0; i < 100_000; i++) {
                parent.child(Duration.ofMillis(1));
            }
            for (int i = 0; i < 100_000; i++) {
                parent.child().cancel("done");
            }
            clock.advance(Duration.ofMillis(2));
            assertThat(parent.node().linkedCount()).isZero();
        });
    }

    @Test
    @DisplayName("item 3 negative control: children still live are counted")
    void item3_negativeControl_liveChildrenAreCounted() {
        CancellationSource parent = CancellationSource.create();
        for (int i = 0; i < 1_000; i++) {
            parent.child();
        }
        assertThat(parent.node().linkedCount()).isEqualTo(1_000);
        parent.cancel();
        assertThat(parent.node().linkedCount()).isZero();
    }

    // ---------------------------------------------------------------- 4: callOrEmpty

    @Test
    @DisplayName("item 4 (Timeout): callOrEmpty and callOrElse catch only their own deadline, not one escaping the body")
    void item4_onlyOwnDeadlineIsCaught() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> {
            assertThatThrownBy(() -> Timeout.callOrEmpty(Duration.ofSeconds(30), () ->
                    Timeout.call(Duration.ofMillis(10), () -> {
                        Cancellation.sleep(Duration.ofSeconds(1));
                        return 1;
                    }))).isInstanceOf(DeadlineExceededException.class);
            assertThatThrownBy(() -> Timeout.callOrElse(Duration.ofSeconds(30), () ->
                    Timeout.call(Duration.ofMillis(10), () -> {
                        Cancellation.sleep(Duration.ofSeconds(1));
                        return 1;
                    }), () -> 2)).isInstanceOf(DeadlineExceededException.class);
        });
    }

    @Test
    @DisplayName("item 4 negative control: their own deadline still gives empty and the fallback")
    void item4_negativeControl_ownDeadline() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> {
            assertThat(Timeout.callOrEmpty(Duration.ofMillis(10), () -> {
                Cancellation.sleep(Duration.ofSeconds(1));
                return 1;
            })).isEqualTo(Optional.empty());
            assertThat(Timeout.callOrElse(Duration.ofMillis(10), () -> {
                Cancellation.sleep(Duration.ofSeconds(1));
                return 1;
            }, () -> 2)).isEqualTo(2);
        });
    }

    // ---------------------------------------------------------------- 5: soft-cancel bookkeeping

    @Test
    @DisplayName("item 5 (lifetimes, C8): timeouts closed during a grace period leave nothing behind")
    void item5_graceBookkeepingIsBounded() throws Exception {
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> {
            CancellationSource root = CancellationSource.create();
            root.run(() -> {
                root.cancel(CancelReason.shutdown("drain"), Duration.ofHours(1));
                for (int i = 0; i < 20_000; i++) {
                    Timeout.callOrElse(Duration.ofSeconds(1), () -> 1, () -> 2);
                }
                assertThat(root.node().linkedCount()).as("only this thread's own binding").isEqualTo(1);
            });
            assertThat(root.node().linkedCount()).isZero();
        });
    }

    @Test
    @DisplayName("item 5 negative control (lifetimes, C8): timeouts still open during a grace period are counted, "
            + "and let go as they expire")
    void item5_negativeControl_openTimeoutsAreCounted() throws Exception {
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> {
            CancellationSource root = CancellationSource.create();
            root.run(() -> {
                root.cancel(CancelReason.shutdown("drain"), Duration.ofHours(1));
                for (int i = 0; i < 1_000; i++) {
                    root.child(Duration.ofSeconds(1)); // open: born soft, linked until it hardens
                }
                assertThat(root.node().linkedCount()).as("this thread's binding and the open timeouts").isEqualTo(1_001);
                clock.advance(Duration.ofSeconds(1)); // their own deadlines harden them: they unlink
                assertThat(root.node().linkedCount()).isEqualTo(1);
            });
        });
    }

    // ---------------------------------------------------------------- 6: long-lived group

    @Test
    @DisplayName("item 6 (lifetimes): a long-lived group with no history keeps nothing of its ended tasks")
    void item6_longLivedGroupForgetsEndedTasks() throws Exception {
        try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise(), 0)) {
            for (int i = 0; i < 5_000; i++) {
                group.fork("t" + i, () -> 1);
                if (i % 1_000 == 999) {
                    awaitQuiet(group);
                    assertThat(group.liveCountForTesting()).as("after %d forks", i + 1).isLessThanOrEqualTo(1);
                }
            }
            assertThat(group.join().tasks()).isEmpty();
        }
    }

    @Test
    @DisplayName("item 6 negative control: a group that must report keeps every result")
    void item6_negativeControl_defaultGroupReportsAll() throws Exception {
        try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
            for (int i = 0; i < 500; i++) {
                group.fork("t" + i, () -> 1);
            }
            assertThat(group.join().tasks()).hasSize(500);
        }
    }

    /** Waits until every forked task has ended, then lets the next fork reap them. */
    private static void awaitQuiet(TaskGroup group) throws InterruptedException {
        while (group.endingCountForTesting() < group.liveCountForTesting()) {
            Thread.sleep(1);
        }
        group.fork("reaper", () -> 0); // a fork reaps what ended
    }

    // ---------------------------------------------------------------- 7: depth

    @Test
    @DisplayName("item 7 (C3): a plain child shares its parent's clock-and-deadline scope, at any depth (O(1))")
    void item7_childCreationIsConstantInDepth() {
        CancellationSource t = CancellationSource.create().child(Duration.ofHours(1));
        Scope top = t.node().scope;
        for (int i = 0; i < 100_000; i++) {
            t = t.child(Duration.ofHours(2)); // later than the parent's: no scope of its own
        }
        assertThat(t.node().scope).isSameAs(top);
        assertThat(t.remaining().orElseThrow()).isLessThanOrEqualTo(Duration.ofHours(1));
    }

    @Test
    @DisplayName("item 7 negative control (C3): a child whose own deadline is earlier gets its own scope, at any depth")
    void item7_negativeControl_earlierDeadlineMakesAScope() {
        CancellationSource t = CancellationSource.create().child(Duration.ofHours(1));
        Scope top = t.node().scope;
        for (int i = 0; i < 100_000; i++) {
            t = t.child(Duration.ofHours(2));
        }
        CancellationSource earlier = t.child(Duration.ofMinutes(1));
        assertThat(earlier.node().scope).as("the sameness item 7 checks can fail").isNotSameAs(top);
        assertThat(earlier.deadline().orElseThrow()).isLessThan(t.deadline().orElseThrow());
        assertThat(earlier.remaining().orElseThrow()).isLessThanOrEqualTo(Duration.ofMinutes(1));
        assertThat(earlier.child(Duration.ofHours(2)).node().scope).as("and its children share it").isSameAs(earlier.node().scope);
    }

    // ---------------------------------------------------------------- 8: timer

    @Test
    @DisplayName("item 8 (timer): a large subtree's expiry is walked off the timer thread")
    void item8_largeExpiryLeavesTheTimerThread() throws Exception {
        // The deadline must not pass before the subtree is built (the callback would then run at once, on
        // this thread): start short, and double it until it did not.
        for (long ms = 50; ; ms *= 2) {
            CancellationSource top = CancellationSource.create().child(Duration.ofMillis(ms));
            for (int i = 0; i < 10_000; i++) {
                top.child();
            }
            CountDownLatch ran = new CountDownLatch(1);
            AtomicReference<String> where = new AtomicReference<>();
            top.child().onCancel(() -> {
                where.set(Thread.currentThread().getName());
                ran.countDown();
            });
            assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
            if (where.get().equals(Thread.currentThread().getName()) && ms < 10_000) {
                continue; // expired while building
            }
            assertThat(where.get()).isEqualTo("cancelkit-offload");
            return;
        }
    }

    // ---------------------------------------------------------------- 9: the C4 promise, exact

    @ParameterizedTest(name = "item 9 (C4): no interrupt of cancelkit's outlives the region; an entry interrupt survives, {0} thread")
    @MethodSource("kinds")
    void item9_exactInterruptPromise(ThreadKind kind) throws Exception {
        Forked<Boolean[]> f = kind.fork(() -> {
            Boolean[] seen = new Boolean[3];
            CancellationSource a = CancellationSource.create();
            a.run(() -> a.cancel("ours"));
            seen[0] = Thread.currentThread().isInterrupted(); // ours: cleared at exit
            Thread.currentThread().interrupt();               // the caller's own
            CancellationSource b = CancellationSource.create();
            try {
                b.run(() -> b.cancel("ours again"));
            } catch (CancelledException expected) {
                // not thrown: the body returned
            }
            seen[1] = Thread.interrupted();                   // entry interrupt set again
            CancellationSource c = CancellationSource.create();
            c.run(() -> {
                c.cancel("ours");
                Thread.currentThread().interrupt();           // a foreign interrupt after ours: merges with it
            });
            seen[2] = Thread.interrupted();                   // the documented limit: cleared with ours
            return seen;
        });
        Boolean[] seen = f.join().value();
        assertThat(seen).containsExactly(false, true, false);
    }

    @ParameterizedTest(name = "item 9 negative control (C4): cancelkit's interrupt is there inside the region, and a user's "
            + "interrupt that cancelkit did not meet is kept, {0} thread")
    @MethodSource("kinds")
    void item9_negativeControl_interruptsItDidNotSendAreKept(ThreadKind kind) throws Exception {
        Forked<Boolean[]> f = kind.fork(() -> {
            Boolean[] seen = new Boolean[3];
            CancellationSource a = CancellationSource.create();
            a.run(() -> {
                a.cancel("ours");
                seen[0] = Thread.currentThread().isInterrupted(); // delivered: item 9's first false is a clearing
            });
            Thread.interrupted();
            Thread.currentThread().interrupt();                   // the caller's own, on entry
            CancellationSource b = CancellationSource.create();
            b.run(() -> { });                                     // never cancelled: nothing delivered
            seen[1] = Thread.interrupted();
            CancellationSource c = CancellationSource.create();
            c.run(() -> Thread.currentThread().interrupt());      // a foreign interrupt, with none of ours
            seen[2] = Thread.interrupted();                       // kept: item 9's third false is the merge with ours
            return seen;
        });
        assertThat(f.join().value()).containsExactly(true, true, true);
    }

    // ---------------------------------------------------------------- 10: the view

    @Test
    @DisplayName("item 10 (view): what a callee gets cannot cancel or close its caller's scope")
    void item10_calleeCannotCancelCaller() {
        for (Method m : CancellationToken.class.getMethods()) {
            assertThat(m.getName()).as("a public method of CancellationToken").isNotIn("cancel", "close");
        }
        assertThat(AutoCloseable.class.isAssignableFrom(CancellationToken.class)).isFalse();
        CancellationSource caller = CancellationSource.create();
        CancellationToken seen = caller.call(Cancellation::current);
        assertThat(seen).isNotInstanceOf(CancellationSource.class).isEqualTo(caller);
        assertThat(caller.token()).isNotInstanceOf(CancellationSource.class);
        assertThat(Modifier.isFinal(TokenView.class.getModifiers())).isTrue();
        assertThat(Arrays.stream(TokenView.class.getDeclaredMethods()).map(Method::getName)).doesNotContain("cancel");
    }

    @Test
    @DisplayName("item 10 negative control: the creator's source does cancel")
    void item10_negativeControl_sourceCancels() {
        CancellationSource caller = CancellationSource.create();
        assertThat(caller.cancel("mine")).isTrue();
        assertThat(caller.token().isCancelled()).isTrue();
    }
}
