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
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.testkit.VirtualClock;
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

    @Test
    @DisplayName("item 2 (C8, C3): a timeout started during a soft cancel's grace period fires at its own deadline")
    void item2_timeoutInsideGracePeriodFires() throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource root = clock.call(CancellationSource::create);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Forked<Void> body = ThreadKind.VIRTUAL.forkRun(() -> root.run(() -> {
            root.cancel(CancelReason.shutdown("drain"), Duration.ofSeconds(3));
            try {
                Timeout.call(Duration.ofMillis(100), () -> {
                    Thread.sleep(60_000);
                    return 1;
                });
            } catch (RuntimeException e) {
                seen.set(e);
            }
        }));
        body.awaitBlockedIn("Thread", "sleep");
        clock.advance(Duration.ofMillis(100));
        body.join();
        assertThat(seen.get()).as("stopped at 100 ms of the 3 s grace, with the first reason (C2)")
                .isInstanceOf(CancelledException.class);
        assertThat(((CancelledException) seen.get()).reason().kind()).isEqualTo(CancelReason.Kind.SHUTDOWN);
        assertThat(root.node().isHard()).as("the root itself is still in its grace").isFalse();
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
        CancellationSource earlier = t.child(Duration.ofMinutes(1));
        assertThat(earlier.node().scope).as("an earlier own deadline makes a scope").isNotSameAs(top);
        assertThat(earlier.deadline().orElseThrow()).isLessThan(t.deadline().orElseThrow());
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
