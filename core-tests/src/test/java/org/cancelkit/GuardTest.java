package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Guard}: the RAII guard pattern and try-commit-cancel. The abort runs exactly once unless
 * committed; exceptions follow Guava {@code Closer}'s contract; the abort runs shielded from an outer
 * cancel and within its own budget (C6).
 */
@org.junit.jupiter.api.Timeout(60)
class GuardTest {

    static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    @Test
    @DisplayName("the abort runs exactly once, however often the guard is closed; commit after it is refused")
    void abortExactlyOnce() {
        AtomicInteger aborts = new AtomicInteger();
        Guard<RuntimeException> g = Guard.of(aborts::incrementAndGet);
        assertThat(g.isAborted()).isFalse();
        g.close();
        g.close();
        assertThat(aborts.get()).isEqualTo(1);
        assertThat(g.isAborted()).isTrue();
        assertThat(g.commit()).as("too late to commit").isFalse();
    }

    @Test
    @DisplayName("commit disarms: the abort never runs; a second commit says it was already done")
    void commitDisarms() {
        AtomicInteger aborts = new AtomicInteger();
        Guard<RuntimeException> g = Guard.of(aborts::incrementAndGet);
        assertThat(g.commit()).isTrue();
        assertThat(g.commit()).isFalse();
        g.close();
        assertThat(aborts.get()).isZero();
        assertThat(g.isAborted()).isFalse();
    }

    /** A guard without the atomic hand-off, for the negative control: check, then act. */
    static final class NaiveGuard {
        volatile boolean committed;
        volatile boolean closed;
        final Runnable abort;

        NaiveGuard(Runnable abort) {
            this.abort = abort;
        }

        boolean commit() {
            if (closed) {
                return false;
            }
            committed = true;
            return true;
        }

        void close() {
            if (!committed) {
                Thread.yield(); // the window between check and act, widened
                closed = true;
                abort.run();
            }
        }
    }

    /** Races commit against close {@code n} times; returns how often both "committed" and "aborted" happened. */
    static int raceCommitAgainstClose(int n, boolean naive) throws Exception {
        int both = 0;
        CyclicBarrier start = new CyclicBarrier(2);
        for (int i = 0; i < n; i++) {
            AtomicInteger aborts = new AtomicInteger();
            AtomicBoolean committed = new AtomicBoolean();
            Guard<RuntimeException> g = Guard.of(aborts::incrementAndGet);
            NaiveGuard ng = new NaiveGuard(aborts::incrementAndGet);
            Forked<Void> committer = ThreadKind.PLATFORM.forkRun(() -> {
                start.await();
                committed.set(naive ? ng.commit() : g.commit());
            });
            start.await();
            if (naive) {
                ng.close();
            } else {
                g.close();
            }
            committer.join().value();
            assertThat(aborts.get()).isLessThanOrEqualTo(1);
            if (committed.get() && aborts.get() == 1) {
                both++;
            }
            if (!naive) {
                assertThat(committed.get() ^ aborts.get() == 1).as("exactly one of committed and aborted").isTrue();
            }
        }
        return both;
    }

    @Test
    @DisplayName("commit racing close: exactly one of 'committed' and 'aborted', 2,000 times")
    void commitRacingClose() throws Exception {
        assertThat(raceCommitAgainstClose(2_000, false)).isZero();
    }

    @Test
    @DisplayName("negative control: a check-then-act guard is caught committing and aborting at once")
    void naiveGuardIsCaught() throws Exception {
        int both = raceCommitAgainstClose(2_000, true);
        System.out.println("naive guard: committed and aborted at once in " + both + " of 2,000 races");
        assertThat(both).isPositive();
    }

    @SuppressWarnings("try") // the RAII style: the guard is never referenced in the body
    @Test
    @DisplayName("Closer's contract: the body's exception wins and the abort's is suppressed on it")
    void bodyExceptionWins() {
        IOException body = new IOException("body failed");
        IllegalStateException abort = new IllegalStateException("abort failed");
        assertThatThrownBy(() -> {
            try (Guard<IllegalStateException> g = Guard.of(() -> {
                throw abort;
            })) {
                throw body;
            }
        }).isSameAs(body).satisfies(e -> assertThat(e.getSuppressed()).containsExactly(abort));
        IOException commitFailed = new IOException("commit failed");
        IOException rollbackFailed = new IOException("rollback failed");
        assertThatThrownBy(() -> Guard.call(() -> {
            throw commitFailed;
        }, () -> {
            throw rollbackFailed;
        })).isSameAs(commitFailed).satisfies(e -> assertThat(e.getSuppressed()).containsExactly(rollbackFailed));
    }

    @Test
    @DisplayName("Closer's contract: when the body did not throw, the abort's failure is thrown from close")
    void abortFailureThrownWhenBodyDidNot() {
        IOException abort = new IOException("rollback failed");
        Guard<IOException> g = Guard.of(() -> {
            throw abort;
        });
        assertThatThrownBy(g::close).isSameAs(abort);
        assertThat(g.isAborted()).isTrue();
    }

    @SuppressWarnings("try") // Guard<InterruptedException>: javac warns that close() may throw it
    @Test
    @DisplayName("C6 the abort runs shielded: an outer cancel (interrupt flag set) neither reaches nor interrupts it")
    void abortRunsShielded() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        AtomicBoolean sawCancel = new AtomicBoolean(true);
        AtomicBoolean sawInterrupt = new AtomicBoolean(true);
        AtomicBoolean abortFinished = new AtomicBoolean();
        AtomicBoolean flagAfterClose = new AtomicBoolean();
        clock.run(() -> {
            CancellationSource outer = CancellationSource.create();
            assertThatThrownBy(() -> outer.run(() -> {
                try {
                    try (Guard<InterruptedException> g = Guard.of(() -> {
                        sawCancel.set(Cancellation.isCancelled());
                        sawInterrupt.set(Thread.currentThread().isInterrupted());
                        Cancellation.sleep(ms(100)); // a cleanup that takes time, not cut short
                        abortFinished.set(true);
                    })) {
                        outer.cancel("stop"); // hard: this thread's interrupt flag is set now
                        assertThat(Thread.currentThread().isInterrupted()).isTrue();
                        Cancellation.sleep(Duration.ofHours(1));
                        g.commit();
                    }
                } finally {
                    flagAfterClose.set(Thread.currentThread().isInterrupted());
                }
            })).isInstanceOf(CancelledException.class);
            assertThat(Thread.currentThread().isInterrupted()).as("C4: cleared after the region").isFalse();
        });
        assertThat(sawCancel).as("the abort saw the outer cancel").isFalse();
        assertThat(sawInterrupt).as("the abort saw the interrupt").isFalse();
        assertThat(abortFinished).isTrue();
        assertThat(clock.nanoTime()).isEqualTo(ms(100).toNanos());
        assertThat(flagAfterClose).as("the outer cancel's interrupt is back after the abort").isTrue();
    }

    @Test
    @DisplayName("C6 the abort has its own budget: past it the abort is stopped (DeadlineExceededException)")
    void abortWithinItsBudget() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        AtomicLong abortStoppedAt = new AtomicLong(-1);
        clock.run(() -> {
            Guard<InterruptedException> g = Guard.of(Duration.ofSeconds(1), () -> {
                try {
                    Cancellation.sleep(Duration.ofSeconds(10));
                } finally {
                    abortStoppedAt.set(clock.nanoTime());
                }
            });
            assertThatThrownBy(g::close).isInstanceOf(DeadlineExceededException.class);
        });
        assertThat(abortStoppedAt.get()).isEqualTo(Duration.ofSeconds(1).toNanos());
    }

    @SuppressWarnings("try") // Guard<InterruptedException>: javac warns that close() may throw it
    @Test
    @DisplayName("C6 the abort's budget is its own: an outer deadline that has passed does not cut it short")
    void abortBudgetIsIndependentOfOuterDeadline() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        AtomicBoolean finished = new AtomicBoolean();
        clock.run(() -> assertThatThrownBy(() -> Timeout.run(ms(50), () -> {
            try (Guard<InterruptedException> g = Guard.of(Duration.ofSeconds(5), () -> {
                Cancellation.sleep(Duration.ofSeconds(2));
                finished.set(true);
            })) {
                Cancellation.sleep(Duration.ofHours(1));
                g.commit();
            }
        })).isInstanceOf(DeadlineExceededException.class));
        assertThat(finished).isTrue();
        assertThat(clock.nanoTime()).isEqualTo(ms(50).plusSeconds(2).toNanos());
    }

    @Test
    @DisplayName("Guard.call (try-commit-cancel): success keeps, failure and cancellation roll back")
    void tryCommitCancel() throws Exception {
        // creating a user: insert a temporary user, commit it; roll back when the commit does not finish
        AtomicInteger rollbacks = new AtomicInteger();
        assertThat(Guard.call(() -> 42L, rollbacks::incrementAndGet)).isEqualTo(42L);
        assertThat(rollbacks.get()).isZero();

        IOException dbError = new IOException("commit failed");
        assertThatThrownBy(() -> Guard.call(() -> {
            throw dbError;
        }, rollbacks::incrementAndGet)).isSameAs(dbError);
        assertThat(rollbacks.get()).isEqualTo(1);

        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> assertThatThrownBy(() -> Timeout.call(ms(10), () -> Guard.call(() -> {
            Cancellation.sleep(Duration.ofSeconds(10)); // the commit that never finishes
            return 7L;
        }, rollbacks::incrementAndGet))).isInstanceOf(DeadlineExceededException.class));
        assertThat(rollbacks.get()).isEqualTo(2);
    }

    @SuppressWarnings("try") // the RAII style: the guard is never referenced in the body
    @Test
    @DisplayName("the RAII guard pattern: the cleanup runs when the body is cancelled at its wait")
    void raiiGuardOnCancel() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        AtomicInteger cleanups = new AtomicInteger();
        clock.run(() -> assertThatThrownBy(() -> Timeout.run(ms(30), () -> {
            try (Guard<RuntimeException> ignored = Guard.of(cleanups::incrementAndGet)) {
                Cancellation.sleep(Duration.ofSeconds(1)); // use_resource, cancelled here
            }
        })).isInstanceOf(DeadlineExceededException.class));
        assertThat(cleanups.get()).isEqualTo(1);
    }

    @Test
    @DisplayName("bad input: a null abort, a negative budget")
    void badInput() {
        assertThatThrownBy(() -> Guard.of(null)).isInstanceOf(NullPointerException.class).hasMessage("abort");
        assertThatThrownBy(() -> Guard.of(Duration.ofSeconds(-1), () -> {})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Guard.call(null, () -> {})).isInstanceOf(NullPointerException.class);
    }

    /** The guarded operation under exploration: the abort runs iff not committed, once, shielded. */
    static final class GuardedCase implements TaskGroupPointExplorer.Case {
        final AtomicInteger aborts = new AtomicInteger();
        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicBoolean committed = new AtomicBoolean();
        final AtomicBoolean abortSawCancel = new AtomicBoolean();
        final AtomicBoolean abortCompleted = new AtomicBoolean();
        final Mode mode;

        enum Mode { GUARD, CALL, NAIVE_FINALLY }

        GuardedCase(Mode mode) {
            this.mode = mode;
        }

        private void abort() throws InterruptedException {
            aborts.incrementAndGet();
            abortSawCancel.compareAndSet(false, Cancellation.isCancelled() || Thread.currentThread().isInterrupted());
            Cancellation.sleep(ms(5)); // not a point the outer cancel can use: the abort is shielded
            abortCompleted.set(true);
        }

        private String work() throws InterruptedException {
            armed.set(true); // the guard is armed when its body runs
            Cancellation.check();
            Cancellation.sleep(ms(10));
            Cancellation.check();
            return "done";
        }

        @SuppressWarnings("try") // Guard<InterruptedException>: javac warns that close() may throw it
        @Override
        public Object call() throws Exception {
            Cancellation.check();
            String v;
            if (mode == Mode.CALL) {
                v = Guard.call(this::work, this::abort);
                committed.set(true);
            } else if (mode == Mode.NAIVE_FINALLY) {
                boolean ok = false;
                try {
                    v = work();
                    ok = true;
                    committed.set(true);
                } finally {
                    if (!ok) {
                        abort(); // unshielded: sees the cancel and is cut short at its own wait
                    }
                }
            } else {
                try (Guard<InterruptedException> g = Guard.of(this::abort)) {
                    v = work();
                    committed.set(g.commit());
                }
            }
            Cancellation.check();
            return v;
        }

        @Override
        public void check(TaskGroupPointExplorer.Run run) {
            assertThat(aborts.get()).as("aborted exactly once when armed and not committed")
                    .isEqualTo(armed.get() && !committed.get() ? 1 : 0);
            assertThat(abortSawCancel).as("C6: the abort saw the outer cancel").isFalse();
            if (aborts.get() == 1) {
                assertThat(abortCompleted).as("C6: the abort was cut short").isTrue();
            }
            assertThat(run.cancelled() ? run.failure() : null).satisfiesAnyOf(
                    f -> assertThat(f).isNull(), f -> assertThat(f).isInstanceOf(CancelledException.class));
        }
    }

    @Test
    @DisplayName("C6 cancellation-point exploration of a guard: aborted exactly once, shielded, at every point")
    void exploredGuard() throws Exception {
        TaskGroupPointExplorer.Result r = TaskGroupPointExplorer.explore(() -> new GuardedCase(GuardedCase.Mode.GUARD));
        System.out.println("guard: " + r);
        assertThat(r.points()).as("the counting run commits: five points").isEqualTo(5);
        assertThat(r.violations()).isEmpty();
    }

    @Test
    @DisplayName("C6 cancellation-point exploration of Guard.call: aborted exactly once, shielded, at every point")
    void exploredGuardCall() throws Exception {
        TaskGroupPointExplorer.Result r = TaskGroupPointExplorer.explore(() -> new GuardedCase(GuardedCase.Mode.CALL));
        System.out.println("Guard.call: " + r);
        assertThat(r.violations()).isEmpty();
        assertThat(r.cancelledRuns()).isGreaterThanOrEqualTo(4);
    }

    @Test
    @DisplayName("negative control: an unshielded rollback in a finally is caught at every point inside the work")
    void exploredNaiveFinallyIsCaught() throws Exception {
        TaskGroupPointExplorer.Result r = TaskGroupPointExplorer.explore(() -> new GuardedCase(GuardedCase.Mode.NAIVE_FINALLY));
        System.out.println("unshielded finally: " + r);
        assertThat(r.violations().keySet()).containsExactly(2, 3, 4);
    }
}
