package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * C8: a soft cancel is seen at once by checks and callbacks, interrupts no thread until its grace has
 * passed, then behaves as a hard cancel; a hard cancel that arrives meanwhile takes effect at once.
 * Every body here is blocked in a real blocking call ({@code BlockingQueue.take}), so any early
 * interrupt would end it; time is a {@link VirtualClock}.
 */
@org.junit.jupiter.api.Timeout(60)
class C8SoftThenHardTest {

    static Forked<String> blockedIn(ThreadKind threads, VirtualClock clock, CancellationSource token) {
        Forked<String> body = threads.fork(() -> clock.call(() -> token.call(() -> new LinkedBlockingQueue<String>().take())));
        body.awaitBlockedIn("LinkedBlockingQueue", "take");
        return body;
    }

    static void assertStillBlockedAndNotInterrupted(Forked<?> body) {
        assertThat(body.isDone()).as("still blocked").isFalse();
        assertThat(body.thread.isInterrupted()).as("not interrupted").isFalse();
        Forked.awaitBlockedIn(body.thread, "LinkedBlockingQueue", "take");
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C8: a soft cancel is seen at once by isCancelled, checks and callbacks; it interrupts only "
            + "when the grace has passed, to the nanosecond")
    void c8_softSeenAtOnce_interruptsAfterGrace(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource token = clock.call(CancellationSource::create);
        AtomicInteger callbacks = new AtomicInteger();
        token.onCancel(callbacks::incrementAndGet);
        Forked<String> body = blockedIn(threads, clock, token);
        CancelReason reason = CancelReason.shutdown("drain");

        assertThat(token.cancel(reason, Duration.ofSeconds(10))).isTrue();

        assertThat(token.isCancelled()).isTrue();
        assertThat(token.reason()).containsSame(reason);
        assertThatThrownBy(token::throwIfCancelled).isInstanceOf(CancelledException.class);
        assertThat(callbacks).as("callbacks run at once").hasValue(1);
        assertThat(token.call(() -> Cancellation.isCancelled())).as("Cancellation.isCancelled inside").isTrue();
        assertStillBlockedAndNotInterrupted(body);

        clock.advance(Duration.ofSeconds(10).minusNanos(1));
        assertStillBlockedAndNotInterrupted(body);
        clock.advance(Duration.ofNanos(1));

        Throwable thrown = body.joinFailure();
        assertThat(thrown).isInstanceOf(CancelledException.class).hasCauseInstanceOf(InterruptedException.class);
        assertThat(((CancelledException) thrown).reason()).isSameAs(reason);
        assertThat(callbacks).hasValue(1);
        assertThat(clock.pendingTimers()).isZero();
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C8: a soft cancel wakes library waits at once (they are checks), without interrupting")
    void c8_softWakesLibraryWaits(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource token = clock.call(CancellationSource::create);
        Forked<Boolean> body = threads.fork(() -> clock.call(() -> token.call(() -> {
            try {
                Cancellation.sleep(Duration.ofHours(1));
                return false;
            } catch (CancelledException e) {
                return Thread.currentThread().isInterrupted();
            }
        })));
        clock.awaitParked(1);

        token.cancel(CancelReason.shutdown("drain"), Duration.ofHours(1));

        body.join();
        assertThat(body.value()).as("woken by the soft cancel, not by an interrupt").isFalse();
        assertThat(body.interruptedAfter()).isFalse();
        assertThat(clock.nanoTime()).isZero();
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C8: a hard cancel of the same token during the grace interrupts at once; the reason stays "
            + "the soft one")
    void c8_hardCancelMeanwhile(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource token = clock.call(CancellationSource::create);
        Forked<String> body = blockedIn(threads, clock, token);
        CancelReason soft = CancelReason.shutdown("drain");
        token.cancel(soft, Duration.ofHours(1));
        assertStillBlockedAndNotInterrupted(body);

        assertThat(token.cancel("now")).isFalse();

        Throwable thrown = body.joinFailure();
        assertThat(((CancelledException) thrown).reason()).as("C2: one reason").isSameAs(soft);
        assertThat(clock.nanoTime()).isZero();
        assertThat(clock.pendingTimers()).as("the grace timer is retired").isZero();
    }

    @ParameterizedTest(name = "{0} threads")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C8: soft on a parent, hard on one child meanwhile: that child's body is interrupted at once, "
            + "its sibling's only after the grace")
    void c8_hardOnDescendantMeanwhile(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource parent = clock.call(CancellationSource::create);
        CancellationSource hardChild = parent.child();
        CancellationSource softChild = parent.child();
        Forked<String> inHard = blockedIn(threads, clock, hardChild);
        Forked<String> inSoft = blockedIn(threads, clock, softChild);
        parent.cancel(CancelReason.shutdown("drain"), Duration.ofSeconds(30));

        hardChild.cancel();

        assertThat(inHard.joinFailure()).isInstanceOf(CancelledException.class);
        assertStillBlockedAndNotInterrupted(inSoft);
        clock.advance(Duration.ofSeconds(30));
        assertThat(inSoft.joinFailure()).isInstanceOf(CancelledException.class);
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C8: soft on a child, hard on its parent meanwhile: the child's body is interrupted at once")
    void c8_hardOnAncestorMeanwhile(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource parent = clock.call(CancellationSource::create);
        CancellationSource child = parent.child();
        Forked<String> body = blockedIn(threads, clock, child);
        CancelReason soft = CancelReason.shutdown("drain child");
        child.cancel(soft, Duration.ofHours(1));
        assertStillBlockedAndNotInterrupted(body);

        parent.cancel("everything, now");

        Throwable thrown = body.joinFailure();
        assertThat(((CancelledException) thrown).reason()).isSameAs(soft);
        assertThat(parent.reason().orElseThrow().message()).isEqualTo("everything, now");
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C8: a body bound after a soft cancel is not interrupted before the grace either")
    void c8_bindingAfterSoftCancel(ThreadKind threads) throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource token = clock.call(CancellationSource::create);
        token.cancel(CancelReason.shutdown("drain"), Duration.ofSeconds(5));
        Forked<String> body = blockedIn(threads, clock, token);
        assertStillBlockedAndNotInterrupted(body);
        clock.advance(Duration.ofSeconds(5));
        assertThat(body.joinFailure()).isInstanceOf(CancelledException.class);
    }

    @org.junit.jupiter.api.Test
    @DisplayName("C8: onHardCancel runs when the grace has passed, not at the soft cancel; at once on a hard one")
    void c8_onHardCancelWaitsForTheHardPhase() throws Exception {
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> {
            CancellationSource token = CancellationSource.create();
            AtomicInteger soft = new AtomicInteger();
            AtomicInteger hard = new AtomicInteger();
            token.onCancel(soft::incrementAndGet);
            token.onHardCancel(hard::incrementAndGet);
            token.cancel(CancelReason.shutdown("drain"), Duration.ofSeconds(10));
            assertThat(soft).hasValue(1);
            assertThat(hard).as("not in the grace period").hasValue(0);
            assertThat(token.isCancelledHard()).isFalse();
            clock.advance(Duration.ofSeconds(10).minusNanos(1));
            assertThat(hard).hasValue(0);
            clock.advance(Duration.ofNanos(1));
            assertThat(hard).as("once the grace has passed").hasValue(1);
            assertThat(token.isCancelledHard()).isTrue();
            AtomicInteger late = new AtomicInteger();
            token.onHardCancel(late::incrementAndGet);
            assertThat(late).as("registered on a hard token: at once").hasValue(1);

            CancellationSource other = CancellationSource.create();
            AtomicInteger early = new AtomicInteger();
            other.onHardCancel(early::incrementAndGet);
            other.cancel(CancelReason.shutdown("drain"), Duration.ofHours(1));
            other.cancel("now");
            assertThat(early).as("a hard cancel in the grace: at once").hasValue(1);
        });
    }
}
