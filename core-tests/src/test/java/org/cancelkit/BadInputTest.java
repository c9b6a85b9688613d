package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN, "Errors and bad input": nulls are a {@link NullPointerException} naming the parameter;
 * negative durations an {@link IllegalArgumentException} that says what to do; {@link Duration#ZERO}
 * is already expired; huge durations saturate; a cancelled token, an interrupted caller and the never
 * token behave as documented here. (Test names carry the invariant where one applies.)
 */
@org.junit.jupiter.api.Timeout(60)
class BadInputTest {
    static final Duration NEGATIVE = Duration.ofNanos(-1);
    static final CheckedCallable<String, RuntimeException> BODY = () -> "x";
    static final Duration HUGE = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    static Map<String, Executable> nullCalls() {
        CancellationSource t = CancellationSource.create();
        VirtualClock clock = VirtualClock.create();
        Map<String, Executable> m = new LinkedHashMap<>();
        m.put("timeout", () -> t.child((Duration) null));
        m.put("reason", () -> t.cancel((CancelReason) null));
        m.put("message", () -> t.cancel((String) null));
        m.put("grace", () -> t.cancel(CancelReason.requested("r"), null));
        m.put("reason ", () -> t.cancel(null, Duration.ZERO));
        m.put("callback", () -> t.onCancel((Runnable) null));
        m.put("body", () -> t.call(null));
        m.put("body ", () -> t.run(null));
        m.put("timeout ", () -> t.awaitCancellation(null));
        m.put(" timeout", () -> Timeout.call(null, BODY));
        m.put(" body", () -> Timeout.call(Duration.ZERO, null));
        m.put(" body ", () -> Timeout.run(Duration.ZERO, null));
        m.put("  body", () -> Timeout.callOrEmpty(Duration.ZERO, null));
        m.put("fallback", () -> Timeout.callOrElse(Duration.ZERO, BODY, null));
        m.put("duration", () -> Cancellation.sleep(null));
        m.put("callback ", () -> Cancellation.onCancel(null));
        m.put("budget", () -> Cancellation.shielded(null, BODY));
        m.put("  body ", () -> Cancellation.shielded(Duration.ZERO, (CheckedCallable<String, RuntimeException>) null));
        m.put("action", () -> Cancellation.withCancelAction(null, BODY));
        m.put("   body", () -> Cancellation.withCancelAction(CancelAction.of(() -> { }), null));
        m.put(" action", () -> CancelAction.of(null));
        m.put(" grace", () -> new CancelAction(() -> { }, null, null));
        m.put("escalation", () -> CancelAction.of(() -> { }).withEscalation(Duration.ZERO, null));
        m.put(" message", () -> CancelReason.requested(null));
        m.put("  message", () -> CancelReason.shutdown(null));
        m.put("failure", () -> CancelReason.siblingFailed(null));
        m.put("  reason", () -> new CancelledException(null));
        m.put("   body ", () -> clock.call(null));
        m.put("    body", () -> clock.run(null));
        m.put(" duration", () -> clock.advance(null));
        m.put("realTimeout", () -> clock.awaitParked(1, null));
        return m;
    }

    @Test
    @DisplayName("Errors and bad input: every null argument is a NullPointerException naming the parameter")
    void nulls_nameTheParameter() {
        nullCalls().forEach((name, call) -> assertThatThrownBy(call::execute).as(name)
                .isInstanceOf(NullPointerException.class).hasMessage(name.strip()));
    }

    @Test
    @DisplayName("Errors and bad input: every negative duration is an IllegalArgumentException that names it "
            + "and says what to pass instead")
    void negativeDurations() {
        CancellationSource t = CancellationSource.create();
        Map<String, Executable> m = new LinkedHashMap<>();
        m.put("timeout", () -> t.child(NEGATIVE));
        m.put("grace", () -> t.cancel(CancelReason.requested("r"), NEGATIVE));
        m.put("timeout ", () -> t.awaitCancellation(NEGATIVE));
        m.put(" timeout", () -> Timeout.call(NEGATIVE, BODY));
        m.put("  timeout", () -> Timeout.callOrEmpty(NEGATIVE, BODY));
        m.put("   timeout", () -> Timeout.callOrElse(NEGATIVE, BODY, BODY));
        m.put("duration", () -> Cancellation.sleep(NEGATIVE));
        m.put("budget", () -> Cancellation.shielded(NEGATIVE, BODY));
        m.put(" grace", () -> new CancelAction(() -> { }, NEGATIVE, null));
        m.put("  grace", () -> CancelAction.of(() -> { }).withEscalation(NEGATIVE, () -> { }));
        m.put(" duration", () -> VirtualClock.create().advance(NEGATIVE));
        m.put("realTimeout", () -> VirtualClock.create().awaitParked(1, NEGATIVE));
        m.forEach((name, call) -> assertThatThrownBy(call::execute).as(name)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(name.strip() + " must not be negative")
                .hasMessageContaining("Duration.ZERO"));
        assertThat(t.isCancelled()).as("nothing is lost on a bad input").isFalse();
    }

    @Test
    @DisplayName("Errors and bad input: Duration.ZERO is already expired, everywhere")
    void zeroIsAlreadyExpired() throws Exception {
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> {
            assertThat(CancellationSource.create().child(Duration.ZERO).isCancelled()).isTrue();
            assertThatThrownBy(() -> Timeout.run(Duration.ZERO, Cancellation::check)).isInstanceOf(DeadlineExceededException.class);
            assertThat(Timeout.callOrEmpty(Duration.ZERO, () -> {
                Cancellation.check();
                return "ran";
            })).isEmpty();
            assertThatThrownBy(() -> Cancellation.shielded(Duration.ZERO, () -> {
                Thread.sleep(60_000); // interrupted at once: the budget is spent
                return "ran";
            })).isInstanceOf(DeadlineExceededException.class);
            Cancellation.sleep(Duration.ZERO); // returns at once
            clock.advance(Duration.ZERO);
            assertThat(clock.nanoTime()).isZero();
            // the body of a zero timeout starts; its first cancellation point stops it
            AtomicBoolean started = new AtomicBoolean();
            assertThatThrownBy(() -> Timeout.run(Duration.ZERO, () -> {
                started.set(true);
                Cancellation.check();
            })).isInstanceOf(DeadlineExceededException.class);
            assertThat(started).isTrue();
        });
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    @DisplayName("Errors and bad input (C3): huge durations saturate, never overflow, never expire")
    void hugeDurationsSaturate() throws Exception {
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> {
            clock.advance(Duration.ofDays(365 * 100)); // a clock well away from zero
            for (Duration d : new Duration[] {HUGE, Duration.ofSeconds(Long.MAX_VALUE), Duration.ofNanos(Long.MAX_VALUE),
                    Duration.ofMillis(Long.MAX_VALUE), Duration.ofDays(Long.MAX_VALUE / 86_400)}) {
                CancellationSource t = CancellationSource.create().child(d);
                assertThat(t.isCancelled()).as("%s", d).isFalse();
                assertThat(TestTokens.nanos(t).orElseThrow()).as("%s saturates", d).isEqualTo(Long.MAX_VALUE - 1);
                assertThat(t.remaining().orElseThrow()).as("%s", d).isPositive();
                assertThat(Timeout.call(d, () -> "fine")).isEqualTo("fine");
                assertThat(Cancellation.shielded(d, () -> "fine")).isEqualTo("fine");
                assertThat(t.awaitCancellation(Duration.ZERO)).isFalse();
                t.cancel(CancelReason.requested("soft"), d); // a huge grace
                assertThat(t.isCancelled()).isTrue();
            }
            clock.advance(HUGE); // to the end of time: fires what is left, without overflowing
            assertThat(clock.nanoTime()).isEqualTo(Long.MAX_VALUE - 1);
            clock.advance(HUGE);
            assertThat(clock.nanoTime()).isEqualTo(Long.MAX_VALUE - 1);
        });
    }

    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Errors and bad input (C4): a token already cancelled, passed to call: the body starts with the "
            + "cancel delivered, so its first blocking call or check ends it; a body with neither returns its value")
    void cancelledTokenPassedIn(ThreadKind threads) throws Exception {
        CancellationSource token = CancellationSource.create();
        token.cancel("before");
        Forked<String> blocking = threads.fork(() -> token.call(() -> new LinkedBlockingQueue<String>().take()));
        assertThat(blocking.joinFailure()).isInstanceOf(CancelledException.class);
        Forked<String> checking = threads.fork(() -> token.call(() -> {
            Cancellation.check();
            return "ran on";
        }));
        assertThat(checking.joinFailure()).isInstanceOf(CancelledException.class);
        Forked<String> plain = threads.fork(() -> token.call(() -> "value"));
        plain.join();
        assertThat(plain.value()).isEqualTo("value");
        assertThat(plain.interruptedAfter()).isFalse();
        // a Timeout inside a cancelled token reports the outer cancel, not a deadline
        Forked<String> inner = threads.fork(() -> token.call(() -> Timeout.call(Duration.ofHours(1), () -> {
            Cancellation.check();
            return "ran on";
        })));
        assertThat(inner.joinFailure()).isInstanceOf(CancelledException.class);
    }

    /**
     * What we found, documented: a caller whose interrupt flag is already set. The region does not
     * clear it: the body sees the flag set (so its first interruptible call throws
     * {@link InterruptedException}, which is rethrown unchanged: it is the caller's own interrupt, not a
     * cancel). A body that does not consume the flag leaves it set after the call, whether the body
     * returned, failed, or was cancelled or timed out meanwhile: the status is what it would have been
     * without cancelkit (C4).
     */
    @ParameterizedTest(name = "{0} thread")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("Errors and bad input (C4): a caller already interrupted keeps its flag through Timeout.call "
            + "and token.call; the body sees it set")
    void interruptedCaller(ThreadKind threads) throws Exception {
        Forked<Boolean> seen = threads.fork(() -> {
            Thread.currentThread().interrupt();
            boolean sawInTimeout = Timeout.call(Duration.ofHours(1), () -> Thread.currentThread().isInterrupted());
            boolean afterTimeout = Thread.currentThread().isInterrupted();
            boolean sawInCall = CancellationSource.create().call(() -> Thread.currentThread().isInterrupted());
            boolean afterCall = Thread.currentThread().isInterrupted();
            return sawInTimeout && afterTimeout && sawInCall && afterCall;
        });
        seen.join();
        assertThat(seen.value()).isTrue();
        assertThat(seen.interruptedAfter()).isTrue();

        // the body's first blocking call consumes the caller's interrupt: InterruptedException, unchanged
        Forked<String> consumed = threads.fork(() -> {
            Thread.currentThread().interrupt();
            return Timeout.call(Duration.ofHours(1), () -> new LinkedBlockingQueue<String>().take());
        });
        consumed.join();
        assertThat(consumed.failure()).isInstanceOf(InterruptedException.class);
        assertThat(consumed.interruptedAfter()).as("consumed by the body, as without cancelkit").isFalse();

        // the caller's flag survives a cancel and a deadline that cancelkit delivered meanwhile
        VirtualClock clock = VirtualClock.create();
        Forked<Boolean> throughDeadline = threads.fork(() -> clock.call(() -> {
            Thread.currentThread().interrupt();
            try {
                Timeout.run(Duration.ofSeconds(1), () -> {
                    Cancellation.sleep(Duration.ofMinutes(1)); // a library wait: not ended by the caller's flag?
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the caller's own interrupt surfaced: keep it set
                return true;
            } catch (DeadlineExceededException e) {
                return false;
            }
            return false;
        }));
        throughDeadline.join();
        assertThat(throughDeadline.value()).as("Cancellation.sleep honours the caller's own interrupt").isTrue();
        assertThat(throughDeadline.interruptedAfter()).isTrue();

        CancellationSource token = CancellationSource.create();
        Forked<Boolean> throughCancel = threads.fork(() -> {
            Thread.currentThread().interrupt();
            try {
                token.run(() -> {
                    token.cancel(); // delivered to this very thread
                    Cancellation.check();
                });
            } catch (CancelledException e) {
                return Thread.currentThread().isInterrupted();
            }
            return false;
        });
        throughCancel.join();
        assertThat(throughCancel.value()).as("the caller's flag is still set after the cancel").isTrue();
    }

    @Test
    @DisplayName("Errors and bad input: CancellationToken.never() is read-only (it has no cancel or close) and "
            + "behaves as a token that is never cancelled")
    void cancelNever() {
        CancellationToken never = CancellationToken.never();
        assertThat(never).isNotInstanceOf(CancellationSource.class);
        assertThat(never.isCancelled()).isFalse();
        assertThat(TestTokens.nanos(never)).isEmpty();
        assertThat(never.remaining()).isEmpty();
        assertThat(never.child().isCancelled()).isFalse();
    }
}
