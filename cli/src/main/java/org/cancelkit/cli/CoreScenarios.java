package org.cancelkit.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.cancelkit.CancelReason;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.jspecify.annotations.Nullable;

/** The core's scenarios: timeouts that stop the work, nested deadlines, shields, soft then hard. */
final class CoreScenarios {
    private CoreScenarios() {}

    static List<Scenario> all() {
        return List.of(new TimeoutStopsTheWork(), new NestedDeadlines(), new ShieldedCleanup(), new SoftThenHard());
    }

    /** A 10 s job under a 200 ms timeout, next to the same job under {@code orTimeout}. */
    static final class TimeoutStopsTheWork implements Scenario {
        @Override
        public String name() {
            return "timeout";
        }

        @Override
        public String title() {
            return "A timeout around a 10 s job returns at the deadline, and the job has stopped";
        }

        @Override
        public String invariants() {
            return "C1 C4";
        }

        @Override
        public void run(Report r) throws Exception {
            Duration deadline = Duration.ofMillis(200);
            AtomicInteger steps = new AtomicInteger();
            long start = System.nanoTime();
            String outcome;
            try {
                Timeout.run(deadline, () -> tenSecondJob(steps, new AtomicBoolean()));
                outcome = "returned normally";
            } catch (DeadlineExceededException e) {
                outcome = "DeadlineExceededException";
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            int stepsAtReturn = steps.get();
            r.say("Timeout.run(200 ms, job): " + outcome + " after " + elapsedMs + " ms, job at step " + stepsAtReturn + "/100");
            boolean interruptLeft = Thread.currentThread().isInterrupted();
            Thread.sleep(300); // watch the job: does it move after the timeout returned?
            r.check("the timeout failed with DeadlineExceededException", outcome.equals("DeadlineExceededException"));
            r.check("it returned at the deadline (200-700 ms), not after 10 s", elapsedMs >= 200 && elapsedMs < 700);
            r.check("the job made no step after the timeout returned (" + steps.get() + " = " + stepsAtReturn + ")",
                    steps.get() == stepsAtReturn);
            r.check("no interrupt was left on the caller's thread", !interruptLeft);

            AtomicInteger peerSteps = new AtomicInteger();
            AtomicBoolean stopPeer = new AtomicBoolean();
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try {
                    tenSecondJob(peerSteps, stopPeer);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // end the peer's job when the demo stops it below
                }
            }).orTimeout(200, TimeUnit.MILLISECONDS);
            boolean peerTimedOut = false;
            try {
                peer.join();
            } catch (RuntimeException e) {
                peerTimedOut = e.getCause() instanceof TimeoutException;
            }
            int peerAtReturn = peerSteps.get();
            Thread.sleep(300);
            r.say("for contrast, CompletableFuture.orTimeout(200 ms): timed out=" + peerTimedOut + ", its job went on from step "
                    + peerAtReturn + " to " + peerSteps.get() + " after the caller got control back");
            stopPeer.set(true); // orTimeout could not stop its job: the demo has to, by hand
        }

        private static void tenSecondJob(AtomicInteger steps, AtomicBoolean stop) throws InterruptedException {
            for (int i = 0; i < 100 && !stop.get(); i++) {
                Thread.sleep(100);
                steps.incrementAndGet();
            }
        }
    }

    /** An inner 10 s timeout inside an outer 300 ms one. */
    static final class NestedDeadlines implements Scenario {
        @Override
        public String name() {
            return "nested";
        }

        @Override
        public String title() {
            return "Nested deadlines: the inner timeout inherits the earlier outer deadline";
        }

        @Override
        public String invariants() {
            return "C3";
        }

        @Override
        public void run(Report r) throws Exception {
            AtomicLong innerRemainingMs = new AtomicLong(-1);
            AtomicBoolean innerSawCancelled = new AtomicBoolean();
            long start = System.nanoTime();
            String outcome;
            try {
                Timeout.run(Duration.ofMillis(300), () -> Timeout.run(Duration.ofSeconds(10), () -> {
                    innerRemainingMs.set(Cancellation.current().remaining().orElseThrow().toMillis());
                    try {
                        Thread.sleep(10_000);
                    } catch (InterruptedException e) {
                        innerSawCancelled.set(Cancellation.isCancelled());
                        throw e;
                    }
                }));
                outcome = "returned normally";
            } catch (DeadlineExceededException e) {
                outcome = "the outer timeout's DeadlineExceededException";
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            r.say("outer 300 ms { inner 10 s { sleep 10 s } }: " + outcome + " after " + elapsedMs + " ms");
            r.say("inside the inner timeout, remaining() said " + innerRemainingMs.get() + " ms");
            r.check("the inner body's remaining time was the outer's (<= 300 ms), not 10 s",
                    innerRemainingMs.get() >= 0 && innerRemainingMs.get() <= 300);
            r.check("the inner body was stopped by the outer deadline", innerSawCancelled.get());
            r.check("the failure belongs to the outer timeout: " + outcome,
                    outcome.equals("the outer timeout's DeadlineExceededException"));
            r.check("it ended at the outer deadline (300-800 ms)", elapsedMs >= 300 && elapsedMs < 800);
        }
    }

    /** Cleanup in a shield while the caller is cancelled half-way through it. */
    static final class ShieldedCleanup implements Scenario {
        @Override
        public String name() {
            return "shield";
        }

        @Override
        public String title() {
            return "Shielded cleanup runs to the end while its caller is cancelled";
        }

        @Override
        public String invariants() {
            return "C6";
        }

        @Override
        public void run(Report r) throws Exception {
            CancellationSource request = CancellationSource.create();
            CountDownLatch cleanupStarted = new CountDownLatch(1);
            AtomicInteger cleanupSteps = new AtomicInteger();
            AtomicBoolean interruptedInside = new AtomicBoolean();
            Thread canceller = Thread.ofVirtual().start(() -> {
                try {
                    cleanupStarted.await();
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // not expected; cancel anyway below
                }
                request.cancel("client went away during cleanup");
            });
            long start = System.nanoTime();
            String outcome = "returned normally";
            try {
                request.run(() -> Cancellation.shielded(Duration.ofSeconds(2), () -> {
                    cleanupStarted.countDown();
                    for (int i = 0; i < 5; i++) {
                        try {
                            Thread.sleep(60); // e.g. flush, then close a connection
                        } catch (InterruptedException e) {
                            interruptedInside.set(true);
                            throw e;
                        }
                        cleanupSteps.incrementAndGet();
                    }
                    return null;
                }));
                // The shield restored the delivery: the next cancellation point sees the cancel.
                request.run(Cancellation::check);
            } catch (CancelledException e) {
                outcome = "CancelledException (" + e.reason().message() + ")";
            }
            canceller.join();
            r.say("cleanup of 5 x 60 ms in a 2 s shield; cancel arrived 100 ms in; " + cleanupSteps.get()
                    + "/5 steps ran; caller then saw " + outcome + " after " + Report.since(start));
            r.check("every cleanup step ran", cleanupSteps.get() == 5);
            r.check("no interrupt reached the cleanup", !interruptedInside.get());
            r.check("the cancellation surfaced after the shield", outcome.startsWith("CancelledException"));
            r.check("no interrupt was left on the caller's thread", !Thread.currentThread().isInterrupted());
        }
    }

    /** A soft cancel with a grace period, then hard. */
    static final class SoftThenHard implements Scenario {
        @Override
        public String name() {
            return "soft-hard";
        }

        @Override
        public String title() {
            return "Soft, then hard: cooperative first, interrupts only after the grace period";
        }

        @Override
        public String invariants() {
            return "C8";
        }

        @Override
        public void run(Report r) throws Exception {
            // 1. A worker that checks between items finishes its item and stops, without an interrupt.
            CancellationSource polite = CancellationSource.create();
            AtomicInteger items = new AtomicInteger();
            AtomicBoolean politeInterrupted = new AtomicBoolean();
            CountDownLatch working = new CountDownLatch(1);
            Thread w1 = Thread.ofVirtual().start(() -> {
                try {
                    polite.run(() -> {
                        while (!Cancellation.isCancelled()) {
                            working.countDown();
                            Thread.sleep(80); // one item
                            items.incrementAndGet();
                        }
                    });
                } catch (InterruptedException e) {
                    politeInterrupted.set(true); // the demo's finding; the thread ends here anyway
                }
            });
            working.await();
            long t1 = System.nanoTime();
            polite.cancel(CancelReason.shutdown("soft: finish your item"), Duration.ofSeconds(5));
            w1.join();
            r.say("worker that checks between items: stopped after " + Report.since(t1) + ", " + items.get()
                    + " items done, interrupted: " + politeInterrupted.get());
            r.check("the cooperative worker stopped well within the 5 s grace, without an interrupt",
                    !politeInterrupted.get() && System.nanoTime() - t1 < TimeUnit.SECONDS.toNanos(5));

            // 2. A worker that never checks is interrupted when the grace period has passed.
            long t2 = System.nanoTime();
            long stubbornMs = stubbornWorker(Duration.ofMillis(250), null);
            r.say("worker that never checks, grace 250 ms: interrupted after " + stubbornMs + " ms");
            r.check("it was not interrupted before the grace period (>= 250 ms)", stubbornMs >= 250);
            r.check("it was interrupted once the grace had passed (< 1,250 ms)", stubbornMs < 1_250);

            // 3. A hard cancel during the grace period takes effect at once.
            long hardMs = stubbornWorker(Duration.ofSeconds(10), Duration.ofMillis(100));
            r.say("same worker, grace 10 s, hard cancel 100 ms later: interrupted after " + hardMs + " ms");
            r.check("the hard cancel interrupted it at once, not after 10 s", hardMs >= 100 && hardMs < 1_100);
            r.say("total " + Report.since(t2));
        }

        /** Runs a worker stuck in a 10 s sleep; soft-cancels it, then optionally hard-cancels; ms until it ended. */
        private static long stubbornWorker(Duration grace, @Nullable Duration hardAfter) throws InterruptedException {
            CancellationSource token = CancellationSource.create();
            CountDownLatch blocked = new CountDownLatch(1);
            AtomicLong endedAt = new AtomicLong();
            Thread w = Thread.ofVirtual().start(() -> {
                try {
                    token.run(() -> {
                        blocked.countDown();
                        Thread.sleep(10_000);
                    });
                } catch (CancelledException | InterruptedException e) {
                    endedAt.set(System.nanoTime()); // expected: the hard phase interrupted the sleep
                }
            });
            blocked.await();
            long start = System.nanoTime();
            token.cancel(CancelReason.shutdown("soft first"), grace);
            if (hardAfter != null) {
                Thread.sleep(hardAfter.toMillis());
                token.cancel("hard now");
            }
            w.join();
            return (endedAt.get() - start) / 1_000_000;
        }
    }
}
