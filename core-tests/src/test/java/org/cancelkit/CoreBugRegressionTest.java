package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One regression test per bug this suite found in the core, each named after the bug (Failsafe's
 * {@code IssueNNNTest} habit). A test's display name says what went wrong and which invariant it
 * broke; the test checks that invariant against the core: a child born under a cancelled parent is
 * cancelled through and through (C2, C4, C5); a zero timeout or a past deadline is expired on
 * creation, and a zero grace is hard at once, with no timer run (bad input, C8); an interrupted
 * socket read and an enclosing close reach the body as {@link CancelledException} (C4); a deadline
 * or a shorter grace takes effect inside a soft cancel's grace (C8); a cancel-action region entered
 * on a cancelled token does not start its body, and an action that throws still escalates (C9); and
 * {@code callOrEmpty} says what is wrong with a null result.
 */
@org.junit.jupiter.api.Timeout(60)
class CoreBugRegressionTest {

    // ---------------------------------------------------------------- bug 1 (C2, C4, C5)

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Bug 1 (C2/C4/C5): a child born under a cancelled parent left its own list open, so what "
            + "hung on it later (children, callbacks, bound threads) was never cancelled")
    void bug1_childBornCancelled_closesItsOwnList(ThreadKind threads) throws Exception {
        CancellationSource parent = CancellationSource.create();
        parent.cancel("gone");
        CancellationSource born = parent.child();

        // its child: cancelled, with the same reason (C2)
        CancellationSource grandchild = born.child();
        assertThat(grandchild.isCancelled()).isTrue();
        assertThat(grandchild.reason()).containsSame(parent.reason().orElseThrow());

        // a callback registered on it runs at once (C5)
        AtomicInteger runs = new AtomicInteger();
        born.onCancel(runs::incrementAndGet);
        assertThat(runs).hasValue(1);

        // a body bound to it is stopped at its first blocking call instead of blocking for ever (C4)
        Forked<String> body = threads.fork(() -> born.call(() -> new LinkedBlockingQueue<String>().take()));
        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
    }

    // ---------------------------------------------------------------- bug 2 (bad input: ZERO)

    @Test
    @DisplayName("Bug 2 (errors and bad input): Duration.ZERO and past deadlines were not expired until "
            + "the timer ran (never, on a virtual clock nobody advances)")
    void bug2_zeroTimeoutIsAlreadyExpired() throws Exception {
        // on the system clock: at once, not "soon"
        assertThat(CancellationSource.create().child(Duration.ZERO).isCancelled()).isTrue();
        assertThat(CancellationToken.never().child(Duration.ZERO).isCancelled()).isTrue();
        assertThatThrownBy(() -> Timeout.call(Duration.ZERO, () -> {
            Cancellation.check();
            return "ran past its first cancellation point";
        })).isInstanceOf(DeadlineExceededException.class);

        VirtualClock clock = VirtualClock.create();
        clock.run(() -> {
            CancellationSource root = CancellationSource.create();
            CancellationSource zero = root.child(Duration.ZERO);
            assertThat(zero.isCancelled()).isTrue();
            assertThat(zero.reason().orElseThrow().kind()).isEqualTo(CancelReason.Kind.DEADLINE);
            assertThat(TestTokens.withDeadline(root, clock.nanoTime() - 1).isCancelled()).isTrue();
            assertThat(root.isCancelled()).as("C2: never the parent").isFalse();
            // a zero wait returns at once, even on a virtual clock nobody advances
            assertThat(root.awaitCancellation(Duration.ZERO)).isFalse();
            assertThat(clock.pendingTimers()).isZero();
        });
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Bug 2b (C8, bad input): a soft cancel with a zero grace waited for the timer instead of "
            + "being hard at once")
    void bug2b_zeroGraceIsHardAtOnce(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource token = clock.call(CancellationSource::create);
        Forked<String> body = threads.fork(() -> clock.call(() -> token.call(() -> new LinkedBlockingQueue<String>().take())));
        body.awaitBlockedIn("LinkedBlockingQueue", "take");

        token.cancel(CancelReason.shutdown("now"), Duration.ZERO); // the clock is never advanced

        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
    }

    // ---------------------------------------------------------------- bug 3 (C4)

    @Test
    @DisplayName("Bug 3 (C4): a cancelled socket read on a virtual thread escaped as a raw SocketException "
            + "(\"Closed by interrupt\") instead of CancelledException")
    void bug3_socketReadOnVirtualThread_surfacesAsCancelled() throws Exception {
        try (C4CancellationReachesBlockedCodeTest.SocketBlocker socket = new C4CancellationReachesBlockedCodeTest.SocketBlocker()) {
            CancellationSource token = CancellationSource.create();
            Forked<Void> body = ThreadKind.VIRTUAL.forkRun(() -> token.run(socket::block));
            body.awaitBlockedIn("NioSocketImpl", "park");

            token.cancel();

            Throwable thrown = body.joinFailure();
            assertThat(thrown).isInstanceOf(CancelledException.class).hasCauseInstanceOf(SocketException.class);
        }
    }

    @Test
    @DisplayName("Bug 3 negative control (C4): an I/O failure that cancelkit did not cause stays the body's own")
    void bug3_negativeControl_ownIoFailureIsNotACancel() {
        CancellationSource token = CancellationSource.create();
        assertThatThrownBy(() -> token.run(() -> {
            throw new IOException("disk on fire");
        })).isInstanceOf(IOException.class).hasMessage("disk on fire");
        // and a failure racing a cancel that did not interrupt this thread keeps its type, with the cancel attached
        assertThatThrownBy(() -> token.run(() -> {
            TestTokens.source(Cancellation.current()).cancel("meanwhile"); // delivered to this thread: its interrupt is cleared on exit
            Thread.interrupted();                        // ... but the body itself swallows it first
            throw new IllegalStateException("own failure");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    // ---------------------------------------------------------------- bug 4 (C4 / Timeout outcomes)

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Bug 4 (C4): an enclosing token's close() passing through a Timeout surfaced as the body's "
            + "raw InterruptedException instead of CancelledException")
    void bug4_outerCloseThroughTimeout_isCancelled(ThreadKind threads) throws Exception {
        CancellationSource outer = CancellationSource.create();
        List<Throwable> seenInside = Collections.synchronizedList(new ArrayList<>());
        Forked<String> body = threads.fork(() -> outer.call(() -> {
            try {
                return Timeout.call(Duration.ofHours(1), () -> new LinkedBlockingQueue<String>().take());
            } catch (RuntimeException | InterruptedException e) {
                seenInside.add(e); // only recorded: rethrown unchanged
                throw e;
            }
        }));
        body.awaitBlockedIn("LinkedBlockingQueue", "take");

        outer.close();

        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
        assertThat(seenInside).singleElement().isInstanceOf(CancelledException.class);
        assertThat(((CancelledException) seenInside.getFirst()).reason().kind()).isEqualTo(CancelReason.Kind.CLOSED);
    }

    // ---------------------------------------------------------------- bug 5 (C8)

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Bug 5 (C8): a timeout's deadline passing during an enclosing soft cancel's grace was "
            + "ignored until the grace ended")
    void bug5_deadlineDuringSoftGrace_takesEffectAtOnce(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource token = clock.call(CancellationSource::create);
        Forked<String> body = threads.fork(() -> clock.call(() -> token.call(
                () -> Timeout.call(Duration.ofSeconds(1), () -> new LinkedBlockingQueue<String>().take()))));
        body.awaitBlockedIn("LinkedBlockingQueue", "take");
        token.cancel(CancelReason.shutdown("drain"), Duration.ofHours(1));

        clock.advance(Duration.ofSeconds(1)); // the timeout's deadline: a hard cancel arriving meanwhile

        Throwable thrown = body.joinFailure();
        // The soft cancel came first, so its reason is the one (C2: one reason).
        assertThat(thrown).isInstanceOf(CancelledException.class);
        assertThat(((CancelledException) thrown).reason().message()).isEqualTo("drain");
        assertThat(clock.nanoTime()).isEqualTo(Duration.ofSeconds(1).toNanos());
        clock.advance(Duration.ofHours(1));
        assertThat(clock.pendingTimers()).isZero();
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Bug 5b (C8): a second soft cancel with a shorter grace was ignored; the token stayed soft "
            + "for the whole first grace")
    void bug5b_secondSoftCancelWithShorterGrace_hardensAfterItsGrace(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource parent = clock.call(CancellationSource::create);
        CancellationSource child = parent.child();
        CancellationSource sibling = parent.child();
        Forked<String> inChild = threads.fork(() -> clock.call(() -> child.call(() -> new LinkedBlockingQueue<String>().take())));
        Forked<String> inSibling = threads.fork(() -> clock.call(() -> sibling.call(() -> new LinkedBlockingQueue<String>().take())));
        inChild.awaitBlockedIn("LinkedBlockingQueue", "take");
        inSibling.awaitBlockedIn("LinkedBlockingQueue", "take");
        parent.cancel(CancelReason.shutdown("long"), Duration.ofHours(1));
        assertThat(child.cancel(CancelReason.shutdown("short"), Duration.ofSeconds(1))).isFalse();

        clock.advance(Duration.ofSeconds(1).minusNanos(1));
        assertThat(inChild.isDone()).as("still within the child's grace").isFalse();
        assertThat(inChild.thread.isInterrupted()).isFalse();
        clock.advance(Duration.ofNanos(1));

        assertThat(inChild.joinFailure()).isInstanceOf(CancelledException.class);
        assertThat(inSibling.isDone()).as("the sibling keeps the parent's long grace").isFalse();
        assertThat(inSibling.thread.isInterrupted()).isFalse();
        clock.advance(Duration.ofHours(1));
        assertThat(inSibling.joinFailure()).isInstanceOf(CancelledException.class);
    }

    // ---------------------------------------------------------------- bug 6 (C9)

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Bug 6 (C9): a region entered on a cancelled token ran its action before the body started, "
            + "then let the body block with nothing left to stop it")
    void bug6_regionEnteredOnCancelledToken_doesNotStartTheBody(ThreadKind threads) throws Exception {
        C9CancelActionRegionTest.Statement statement = new C9CancelActionRegionTest.Statement();
        CancellationSource token = CancellationSource.create();
        token.cancel("before");
        AtomicInteger actions = new AtomicInteger();
        Forked<String> body = threads.fork(() -> token.call(() -> Cancellation.withCancelAction(
                CancelAction.of(() -> {
                    actions.incrementAndGet();
                    statement.cancel();
                }),
                statement::execute)));

        Throwable thrown = body.joinFailure();

        assertThat(thrown).isInstanceOf(CancelledException.class);
        assertThat(statement.executions()).as("the body never started").isZero();
        assertThat(actions).as("nothing to cancel: the action did not run").hasValue(0);
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Bug 7 (C9): an action that threw kept the escalation from ever being armed, leaving the "
            + "body stuck")
    void bug7_throwingAction_stillEscalates(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource token = clock.call(CancellationSource::create);
        CountDownLatch free = new CountDownLatch(1);
        AtomicInteger escalations = new AtomicInteger();
        CancelAction action = new CancelAction(() -> {
            throw new IllegalStateException("cancel failed");
        }, Duration.ofSeconds(2), () -> {
            escalations.incrementAndGet();
            free.countDown();
        });
        Forked<Boolean> body = threads.fork(() -> clock.call(() -> token.call(() -> Cancellation.withCancelAction(action, () -> {
            C9CancelActionRegionTest.awaitIgnoringInterrupts(free);
            return true;
        }))));
        Forked.awaitBlockedIn(body.thread, "CountDownLatch", "await");
        List<Throwable> reported = Collections.synchronizedList(new ArrayList<>());
        Forked<Void> canceller = threads.forkRun(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> reported.add(e));
            token.cancel();
        });
        canceller.join();
        assertThat(reported).singleElement().isInstanceOf(IllegalStateException.class);

        clock.advance(Duration.ofSeconds(2));

        assertThat(escalations).hasValue(1);
        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
    }

    // ---------------------------------------------------------------- bug 8 (errors)

    @Test
    @DisplayName("Bug 8 (errors and bad input): callOrEmpty with a body returning null failed with a bare "
            + "NullPointerException that said nothing")
    void bug8_callOrEmptyNull_saysWhatIsWrong() {
        assertThatThrownBy(() -> Timeout.callOrEmpty(Duration.ofSeconds(1), () -> null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("callOrEmpty returned null");
    }
}
