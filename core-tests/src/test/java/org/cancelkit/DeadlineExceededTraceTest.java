package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A {@link DeadlineExceededException} captures its own stack trace only when nothing in its cause
 * chain holds one: a herd of timeouts then unwinds at one stack trace per thread. Nothing a reader of
 * the log needs is lost: the cause's trace runs from the blocked call through {@code Timeout.call} to
 * the code that called it.
 */
class DeadlineExceededTraceTest {

    static java.util.stream.Stream<ThreadKind> kinds() {
        return ThreadKind.all();
    }

    private static boolean mentions(StackTraceElement[] trace, String method) {
        return Arrays.stream(trace).anyMatch(e -> e.getMethodName().contains(method));
    }

    /** The caller of {@code Timeout.call}: a named frame the traces must reach. */
    private static void callerOfTheTimeout(CheckedRunnable<InterruptedException> body) throws InterruptedException {
        Timeout.run(Duration.ofMillis(100), body);
    }

    @ParameterizedTest(name = "a body stopped in Thread.sleep: the cause's trace reaches the caller; no second trace, {0} thread")
    @MethodSource("kinds")
    void interruptedBodyLendsItsTrace(ThreadKind kind) throws Exception {
        VirtualClock clock = VirtualClock.create();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Forked<Void> body = kind.forkRun(() -> clock.run(() -> {
            try {
                callerOfTheTimeout(() -> Thread.sleep(60_000)); // exists only to be interrupted
            } catch (DeadlineExceededException e) {
                seen.set(e);
            }
        }));
        body.awaitBlockedIn("Thread", "sleep");
        clock.advance(Duration.ofMillis(100));
        body.join();
        Throwable e = seen.get();
        assertThat(e).isInstanceOf(DeadlineExceededException.class);
        assertThat(e.getStackTrace()).as("its own trace is not captured").isEmpty();
        assertThat(e.getCause()).isInstanceOf(InterruptedException.class);
        assertThat(mentions(e.getCause().getStackTrace(), "callerOfTheTimeout"))
                .as("the cause's trace reaches the code that called Timeout.run").isTrue();
        assertThat(mentions(e.getCause().getStackTrace(), "sleep")).as("and where the body was blocked").isTrue();
    }

    @ParameterizedTest(name = "negative control: a body stopped at a cancellation point (no trace in the cause): the exception captures its own, {0} thread")
    @MethodSource("kinds")
    void cancellationPointBodyGetsItsOwnTrace(ThreadKind kind) throws Exception {
        VirtualClock clock = VirtualClock.create();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Forked<Void> body = kind.forkRun(() -> clock.run(() -> {
            try {
                callerOfTheTimeout(() -> Cancellation.sleep(Duration.ofHours(1)));
            } catch (DeadlineExceededException e) {
                seen.set(e);
            }
        }));
        body.awaitBlockedIn("", "park");
        clock.advance(Duration.ofMillis(100));
        body.join();
        Throwable e = seen.get();
        assertThat(e).isInstanceOf(DeadlineExceededException.class);
        assertThat(e.getCause()).as("a cancellation point's exception").isInstanceOf(CancelledException.class);
        assertThat(e.getCause().getStackTrace()).isEmpty();
        assertThat(mentions(e.getStackTrace(), "callerOfTheTimeout")).as("so it captures its own").isTrue();
    }

    @org.junit.jupiter.api.Test
    @DisplayName("the public constructor always captures a trace")
    void publicConstructorCaptures() {
        DeadlineExceededException e = new DeadlineExceededException("mine", new InterruptedException());
        assertThat(mentions(e.getStackTrace(), "publicConstructorCaptures")).isTrue();
    }
}
