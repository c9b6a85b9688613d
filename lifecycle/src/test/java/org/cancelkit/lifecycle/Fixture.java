package org.cancelkit.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancellationToken;

/**
 * Workers for the tests, each recording what it saw: when its token was cancelled, which workers had
 * been cancelled by then; whether it was interrupted; how many times its cleanup ran.
 */
final class Fixture {
    final Map<String, CancellationToken> tokens = new ConcurrentHashMap<>();
    final Map<String, Thread> threads = new ConcurrentHashMap<>();
    /** For each worker, the workers whose tokens were cancelled when it saw its own cancel. */
    final Map<String, Set<String>> cancelledWhenCancelled = new ConcurrentHashMap<>();
    final List<String> interrupted = new CopyOnWriteArrayList<>();
    final Map<String, Integer> cleanups = new ConcurrentHashMap<>();
    final CountDownLatch started;
    /** Released by the test to let a worker's cleanup, or a stuck worker, end. */
    final CountDownLatch release = new CountDownLatch(1);
    /** What stuck workers wait on, uninterruptibly. */
    final Semaphore stuck = new Semaphore(0);
    final CountDownLatch stuckEnded;

    Fixture(int workers) {
        this(workers, 0);
    }

    Fixture(int workers, int stuckWorkers) {
        started = new CountDownLatch(workers);
        stuckEnded = new CountDownLatch(stuckWorkers);
    }

    /** Lets every stuck worker end, and waits until they have (so no thread outlives the test). */
    void unstick() throws InterruptedException {
        stuck.release();
        if (!stuckEnded.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("stuck workers did not end after release");
        }
        for (Thread t : threads.values()) {
            if (!t.join(Duration.ofSeconds(30))) { // their bodies have ended; the threads are finishing
                throw new AssertionError(t + " did not end");
            }
        }
    }

    void awaitStarted() throws InterruptedException {
        if (!started.await(30, TimeUnit.SECONDS)) { // waits for an event; the bound only guards a broken test
            throw new AssertionError("workers did not start: " + started.getCount() + " missing");
        }
    }

    /**
     * Waits until the shutdown has cancelled {@code name}'s token: an event, spun for with a real-time
     * bound that only guards a broken test.
     */
    void awaitCancelled(String name) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!tokens.get(name).isCancelled()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(name + " was not cancelled within 30 s");
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Waits until {@code name}'s thread is blocked inside {@code method}: an event, spun for with a
     * real-time bound that only guards a broken test.
     */
    void awaitBlockedIn(String name, String method) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Thread t = threads.get(name);
            if (t != null && t.getState() == Thread.State.WAITING && java.util.Arrays.stream(t.getStackTrace())
                    .anyMatch(e -> e.getMethodName().equals(method))) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(name + " did not block in " + method + " within 30 s");
            }
            Thread.onSpinWait();
        }
    }

    private void seen(String name, CancellationToken token) {
        threads.put(name, Thread.currentThread());
        tokens.put(name, token);
        started.countDown();
    }

    private void recordCancel(String name) {
        Set<String> cancelled = new TreeSet<>();
        tokens.forEach((n, t) -> {
            if (t.isCancelled()) {
                cancelled.add(n);
            }
        });
        cancelledWhenCancelled.put(name, cancelled);
        cleanups.merge(name, 1, Integer::sum);
    }

    /** Waits for its cancel (soft suffices), records, and returns at once: stops in grace. */
    Worker polite(String name, Duration grace) {
        return Worker.of(name, grace, token -> {
            seen(name, token);
            token.awaitCancellation();
            recordCancel(name);
        });
    }

    /** Waits for its cancel, then cleans up until the test releases it (interruptibly). */
    Worker slowCleanup(String name, Duration grace) {
        return Worker.of(name, grace, token -> {
            seen(name, token);
            token.awaitCancellation();
            recordCancel(name);
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.add(name);
                throw e; // the hard cancel: unwind
            }
        });
    }

    /** Ignores the soft cancel: blocks until interrupted (a wait that does not watch the token). */
    Worker ignoresSoftCancel(String name, Duration grace) {
        return Worker.of(name, grace, token -> {
            seen(name, token);
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.add(name);
                recordCancel(name);
                throw e; // the hard cancel: unwind
            }
        });
    }

    /** Ignores every cancel: blocked in an uninterruptible call until the test releases it. */
    Worker stuck(String name, Duration grace) {
        return Worker.of(name, grace, token -> {
            seen(name, token);
            try {
                stuckInLegacyCall(stuck);
            } finally {
                stuckEnded.countDown();
            }
        });
    }

    /** A named frame, to find in an abandoned worker's stack. */
    static void stuckInLegacyCall(Semaphore s) {
        s.acquireUninterruptibly();
        s.release(); // let the next stuck worker through too
    }
}
