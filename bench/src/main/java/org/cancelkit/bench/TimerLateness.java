package org.cancelkit.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;

/**
 * Benchmark 5: {@value #N} concurrent {@value #DELAY_MS} ms timeouts, a program in its own JVM.
 *
 * <ul>
 *   <li>Firing: {@value #N} tokens {@code CancellationSource.create().child(100 ms)}, each with an
 *       {@code onCancel} callback that records when it runs; lateness = that moment minus the token's
 *       deadline. Reference: a bare {@code ScheduledThreadPoolExecutor(1)} running {@value #N} tasks
 *       scheduled at 100 ms; lateness = when the task runs minus {@code nanoTime()} read just
 *       <em>after</em> {@code schedule} returned + 100 ms (so the reference's lateness is if anything
 *       understated).</li>
 *   <li>Unwind: {@value #N} virtual threads each in {@code Timeout.call(100 ms, () -> Thread.sleep(60 s))};
 *       lateness = the moment {@code Timeout.call} has thrown {@link DeadlineExceededException} in
 *       that thread minus the timeout's deadline (read inside the body). Reference: {@value #N}
 *       virtual threads in {@code Thread.sleep(100 ms)}; lateness = wake-up minus (time read just
 *       before the sleep + 100 ms).</li>
 * </ul>
 * Context, not judged: the same tokens each awaited by a virtual thread in {@code awaitCancellation()}.
 *
 * <p>The peers, from the deadline to the moment the caller sees the timeout (compare with cancelkit's
 * unwind, whose body must also be interrupted and unwound first):
 * <ul>
 *   <li>{@code orTimeout}: {@value #N} {@code new CompletableFuture<>().orTimeout(100 ms)}, each with a
 *       {@code whenComplete} that records when it ran; due = {@code nanoTime()} read just after
 *       {@code orTimeout} returned + 100 ms.</li>
 *   <li>kotlinx: {@value #N} coroutines on {@code Dispatchers.Default} in
 *       {@code withTimeout(100 ms) { delay(60 s) }}, caught {@code TimeoutCancellationException}; due read
 *       just before {@code withTimeout}.</li>
 *   <li>{@code Future.get}: {@value #N} virtual threads each in {@code executor.submit(sleep 60 s).get(100 ms)}
 *       on a virtual-thread-per-task executor, caught {@code TimeoutException} (then {@code cancel(true)});
 *       due read just before {@code get}.</li>
 * </ul>
 * One discarded warm-up round, then the given number of rounds; the order of the two contenders
 * alternates between rounds. Percentiles are over all samples of all measured rounds.
 */
public final class TimerLateness {
    static final int N = 10_000;
    static final int DELAY_MS = 100;
    private static final Duration DELAY = Duration.ofMillis(DELAY_MS);
    private static final long DELAY_NANOS = DELAY.toNanos();

    private TimerLateness() {}

    /**
     * Runs the rounds and prints {@code RESULT} lines.
     *
     * @param args the number of measured rounds (default 5)
     * @throws Exception when a round does not finish in time
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
        executor.prestartAllCoreThreads();
        long[] firingCk = new long[rounds * N];
        long[] firingEx = new long[rounds * N];
        long[] unwindCk = new long[rounds * N];
        long[] unwindSleep = new long[rounds * N];
        long[] firingAwait = new long[rounds * N];
        long[][] peers = new long[PEERS.length][rounds * N];
        StringBuilder perRound = new StringBuilder();
        for (int r = -1; r < rounds; r++) {
            boolean cancelkitFirst = r % 2 == 0;
            long[] a;
            long[] b;
            long[] c;
            long[] d;
            if (cancelkitFirst) {
                a = firingCancelkit();
                b = firingExecutor(executor);
                c = unwindCancelkit();
                d = unwindSleep();
            } else {
                b = firingExecutor(executor);
                a = firingCancelkit();
                d = unwindSleep();
                c = unwindCancelkit();
            }
            long[] e = firingAwait(); // context: no contender
            long[][] peerRound = new long[PEERS.length][];
            for (int k = 0; k < PEERS.length; k++) {
                int which = Math.floorMod(k + r, PEERS.length); // each round starts with another peer
                peerRound[which] = peer(which);
            }
            if (r < 0) {
                continue; // warm-up
            }
            for (int k = 0; k < PEERS.length; k++) {
                System.arraycopy(peerRound[k], 0, peers[k], r * N, N);
            }
            System.arraycopy(e, 0, firingAwait, r * N, N);
            System.arraycopy(a, 0, firingCk, r * N, N);
            System.arraycopy(b, 0, firingEx, r * N, N);
            System.arraycopy(c, 0, unwindCk, r * N, N);
            System.arraycopy(d, 0, unwindSleep, r * N, N);
            perRound.append(String.format("%sround %d p99 ms: firing %s vs %s, unwind %s vs %s",
                    perRound.isEmpty() ? "" : "; ", r + 1,
                    p99(a), p99(b), p99(c), p99(d)));
        }
        executor.shutdown();
        Out.result("rounds", Integer.toString(rounds));
        Out.percentiles("firing.cancelkit", firingCk);
        Out.percentiles("firing.executor", firingEx);
        Out.percentiles("firing.await", firingAwait);
        Out.percentiles("unwind.cancelkit", unwindCk);
        Out.percentiles("unwind.sleep", unwindSleep);
        for (int k = 0; k < PEERS.length; k++) {
            Out.percentiles("caller." + PEERS[k], peers[k]);
        }
        Out.result("perRound", perRound.toString());
    }

    /** The peers, in the order of {@link #peer}. */
    static final String[] PEERS = {"orTimeout", "kotlinx", "futureGet"};

    private static long[] peer(int which) throws InterruptedException {
        return switch (which) {
            case 0 -> callerOrTimeout();
            case 1 -> callerKotlinx();
            default -> callerFutureGet();
        };
    }

    static long[] callerOrTimeout() throws InterruptedException {
        settle();
        long[] due = new long[N];
        long[] fired = new long[N];
        CountDownLatch done = new CountDownLatch(N);
        for (int i = 0; i < N; i++) {
            int idx = i;
            new CompletableFuture<Integer>().orTimeout(DELAY_MS, TimeUnit.MILLISECONDS).whenComplete((v, failure) -> {
                fired[idx] = System.nanoTime();
                done.countDown();
            });
            due[i] = System.nanoTime() + DELAY_NANOS;
        }
        await(done, "orTimeout");
        return minus(fired, due);
    }

    static long[] callerKotlinx() throws InterruptedException {
        settle();
        return Kx.withTimeoutLateness(N, DELAY_MS);
    }

    static long[] callerFutureGet() throws InterruptedException {
        settle();
        long[] late = new long[N];
        CountDownLatch done = new CountDownLatch(N);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < N; i++) {
                int idx = i;
                Thread.ofVirtual().start(() -> {
                    Future<?> f = executor.submit(() -> {
                        Thread.sleep(60_000);
                        return null;
                    });
                    long due = System.nanoTime() + DELAY_NANOS;
                    try {
                        f.get(DELAY_MS, TimeUnit.MILLISECONDS);
                        throw new AssertionError("Future.get(100 ms) of a 60 s sleep returned");
                    } catch (TimeoutException expected) {
                        late[idx] = System.nanoTime() - due;
                    } catch (InterruptedException | ExecutionException e) {
                        throw new AssertionError("nobody interrupts these waits or fails these tasks", e);
                    } finally {
                        f.cancel(true);
                        done.countDown();
                    }
                });
            }
            await(done, "Future.get");
        }
        return late;
    }

    /** Per sample, {@code a[i] - b[i]}. */
    private static long[] minus(long[] a, long[] b) {
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    private static String p99(long[] samples) {
        long[] s = samples.clone();
        Arrays.sort(s);
        return Out.ms(Out.percentile(s, 0.99));
    }

    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
    }

    private static void await(CountDownLatch done, String what) throws InterruptedException {
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(what + ": " + done.getCount() + " of " + N + " never finished");
        }
    }

    /**
     * The token's deadline as a {@link System#nanoTime()} reading, from its remaining time: no later than
     * the real one, so a lateness is if anything overstated (by the nanoseconds between the two reads).
     */
    private static long deadlineNanos(CancellationToken t) {
        long now = System.nanoTime();
        return now + t.remaining().orElseThrow().toNanos();
    }

    static long[] firingCancelkit() throws InterruptedException {
        settle();
        long[] deadline = new long[N];
        long[] fired = new long[N];
        CancellationSource[] tokens = new CancellationSource[N];
        CountDownLatch done = new CountDownLatch(N);
        for (int i = 0; i < N; i++) {
            int idx = i;
            CancellationSource t = CancellationSource.create().child(DELAY);
            deadline[i] = deadlineNanos(t);
            t.onCancel(() -> {
                fired[idx] = System.nanoTime();
                done.countDown();
            });
            tokens[i] = t;
        }
        await(done, "cancelkit firing");
        long[] late = new long[N];
        for (int i = 0; i < N; i++) {
            late[i] = fired[i] - deadline[i];
            tokens[i].close();
        }
        return late;
    }

    /**
     * Context for the firing: the same tokens, each awaited by a virtual thread in
     * {@code awaitCancellation()} (a listener the timer thread runs inline), instead of a callback
     * (which the timer hands to one of cancelkit's offload threads).
     */
    static long[] firingAwait() throws InterruptedException {
        settle();
        long[] deadline = new long[N];
        long[] woke = new long[N];
        CancellationSource[] tokens = new CancellationSource[N];
        CountDownLatch done = new CountDownLatch(N);
        for (int i = 0; i < N; i++) {
            int idx = i;
            CancellationSource t = CancellationSource.create().child(DELAY);
            deadline[i] = deadlineNanos(t);
            tokens[i] = t;
            Thread.ofVirtual().start(() -> {
                try {
                    t.awaitCancellation();
                    woke[idx] = System.nanoTime();
                } catch (InterruptedException e) {
                    throw new AssertionError("nobody interrupts these waits", e);
                } finally {
                    done.countDown();
                }
            });
        }
        await(done, "awaitCancellation firing");
        long[] late = new long[N];
        for (int i = 0; i < N; i++) {
            late[i] = woke[i] - deadline[i];
            tokens[i].close();
        }
        return late;
    }

    static long[] firingExecutor(ScheduledThreadPoolExecutor executor) throws InterruptedException {
        settle();
        long[] due = new long[N];
        long[] fired = new long[N];
        CountDownLatch done = new CountDownLatch(N);
        for (int i = 0; i < N; i++) {
            int idx = i;
            executor.schedule(() -> {
                fired[idx] = System.nanoTime();
                done.countDown();
            }, DELAY_MS, TimeUnit.MILLISECONDS);
            due[i] = System.nanoTime() + DELAY_NANOS;
        }
        await(done, "executor firing");
        return minus(fired, due);
    }

    static long[] unwindCancelkit() throws InterruptedException {
        settle();
        long[] deadline = new long[N];
        long[] unwound = new long[N];
        CountDownLatch done = new CountDownLatch(N);
        for (int i = 0; i < N; i++) {
            int idx = i;
            Thread.ofVirtual().start(() -> {
                try {
                    Timeout.call(DELAY, () -> {
                        deadline[idx] = deadlineNanos(Cancellation.current());
                        Thread.sleep(60_000);
                        return null;
                    });
                    throw new AssertionError("the timeout did not fire");
                } catch (DeadlineExceededException e) {
                    unwound[idx] = System.nanoTime();
                } catch (InterruptedException e) {
                    // Not cancelkit's own interrupt, which surfaces as DeadlineExceededException.
                    throw new AssertionError("interrupted from outside", e);
                } finally {
                    done.countDown();
                }
            });
        }
        await(done, "cancelkit unwind");
        return minus(unwound, deadline);
    }

    static long[] unwindSleep() throws InterruptedException {
        settle();
        long[] late = new long[N];
        CountDownLatch done = new CountDownLatch(N);
        for (int i = 0; i < N; i++) {
            int idx = i;
            Thread.ofVirtual().start(() -> {
                try {
                    long due = System.nanoTime() + DELAY_NANOS;
                    Thread.sleep(DELAY);
                    late[idx] = System.nanoTime() - due;
                } catch (InterruptedException e) {
                    throw new AssertionError("nobody interrupts these sleeps", e);
                } finally {
                    done.countDown();
                }
            });
        }
        await(done, "plain sleep");
        return late;
    }
}
