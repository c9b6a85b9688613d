package org.cancelkit.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;

/**
 * Section 5g: does a large expiry delay unrelated deadlines? A program in its own JVM.
 *
 * <p>Each round builds one token with {@value #SUBTREE} children (no deadline of their own), then arms
 * {@value #UNRELATED} unrelated tokens {@code CancellationSource.create().child(d)}, their deadlines
 * spread evenly over the 50 ms after a moment 2 s from the round's start, each with an {@code onCancel}
 * callback that records when it runs (lateness = that moment minus the token's deadline). In the
 * <em>quiet</em> round the big token's deadline is an hour away; in the <em>expiring</em> round it is
 * that moment, so its whole subtree is cancelled by its deadline just as the unrelated deadlines come
 * due. If the timer thread walked the
 * subtree itself, every unrelated deadline behind it would wait for the walk (about
 * {@value #SUBTREE} times the per-token cost of section 4a). Context: the same unrelated deadlines each
 * awaited by a virtual thread in {@code awaitCancellation()}, in both rounds.
 *
 * <p>One discarded warm-up pair of rounds, then the given number of pairs, the order inside a pair
 * alternating. Percentiles over all samples of all measured rounds (nearest rank).
 */
public final class TimerIsolation {
    static final int UNRELATED = 1_000;
    static final int SUBTREE = 1_000_000;
    /** The subtree's deadline in the expiring round, from its creation: time to build it first. */
    private static final Duration ANCHOR = Duration.ofSeconds(2);
    private static final long SPREAD_NANOS = Duration.ofMillis(50).toNanos();

    private TimerIsolation() {}

    /**
     * Runs the rounds and prints {@code RESULT} lines.
     *
     * @param args the number of measured pairs of rounds (default 5)
     * @throws Exception when a round does not finish in time
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long[][] quiet = new long[2][rounds * UNRELATED];
        long[][] expiring = new long[2][rounds * UNRELATED];
        StringBuilder perRound = new StringBuilder();
        for (int r = -1; r < rounds; r++) {
            long[][] q;
            long[][] e;
            if (r % 2 == 0) {
                q = round(false);
                e = round(true);
            } else {
                e = round(true);
                q = round(false);
            }
            if (r < 0) {
                continue; // warm-up
            }
            for (int k = 0; k < 2; k++) {
                System.arraycopy(q[k], 0, quiet[k], r * UNRELATED, UNRELATED);
                System.arraycopy(e[k], 0, expiring[k], r * UNRELATED, UNRELATED);
            }
            perRound.append(String.format("%sround %d p99 ms: onCancel %s quiet vs %s expiring",
                    perRound.isEmpty() ? "" : "; ", r + 1, p99(q[0]), p99(e[0])));
        }
        Out.result("rounds", Integer.toString(rounds));
        Out.result("subtree", Integer.toString(SUBTREE));
        Out.result("unrelated", Integer.toString(UNRELATED));
        Out.percentiles("quiet.onCancel", quiet[0]);
        Out.percentiles("expiring.onCancel", expiring[0]);
        Out.percentiles("quiet.await", quiet[1]);
        Out.percentiles("expiring.await", expiring[1]);
        Out.result("perRound", perRound.toString());
    }

    /** One round: the unrelated deadlines' lateness, by callback [0] and by a woken waiter [1]. */
    private static long[][] round(boolean expire) throws InterruptedException {
        System.gc();
        Thread.sleep(200); // settle: the previous round's garbage and threads
        // The subtree is built first, under a deadline far enough out for the building (which takes some
        // 100 ms); the unrelated deadlines are then armed from the anchor's, so in the expiring round they
        // come due 0-50 ms after the subtree's, and in the quiet round at the same moments.
        CancellationSource anchor = CancellationSource.create().child(ANCHOR);
        CancellationSource big = CancellationSource.create().child(expire ? ANCHOR : Duration.ofHours(1));
        CancellationSource[] children = new CancellationSource[SUBTREE];
        for (int i = 0; i < SUBTREE; i++) {
            children[i] = big.child();
        }
        if (anchor.remaining().orElseThrow().toNanos() < SPREAD_NANOS) {
            throw new IllegalStateException("building the subtree took longer than " + ANCHOR + ": no measurement");
        }
        long[] deadline = new long[UNRELATED];
        long[] fired = new long[UNRELATED];
        long[] awaitDeadline = new long[UNRELATED];
        long[] woke = new long[UNRELATED];
        CancellationSource[] tokens = new CancellationSource[2 * UNRELATED];
        CountDownLatch done = new CountDownLatch(2 * UNRELATED);
        for (int i = 0; i < UNRELATED; i++) {
            int idx = i;
            Duration in = anchor.remaining().orElseThrow().plusNanos(SPREAD_NANOS * i / UNRELATED);
            CancellationSource t = CancellationSource.create().child(in);
            deadline[i] = deadlineNanos(t);
            t.onCancel(() -> {
                fired[idx] = System.nanoTime();
                done.countDown();
            });
            CancellationSource w = CancellationSource.create().child(in);
            awaitDeadline[i] = deadlineNanos(w);
            Thread.ofVirtual().start(() -> {
                try {
                    w.awaitCancellation();
                    woke[idx] = System.nanoTime();
                } catch (InterruptedException e) {
                    throw new AssertionError("nobody interrupts these waits", e);
                } finally {
                    done.countDown();
                }
            });
            tokens[2 * i] = t;
            tokens[2 * i + 1] = w;
        }
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(done.getCount() + " unrelated deadlines never fired");
        }
        if (expire) {
            big.token().awaitCancellation();
        }
        long[][] late = new long[2][UNRELATED];
        for (int i = 0; i < UNRELATED; i++) {
            late[0][i] = fired[i] - deadline[i];
            late[1][i] = woke[i] - awaitDeadline[i];
        }
        for (CancellationSource t : tokens) {
            t.close();
        }
        anchor.close();
        big.close();
        Arrays.fill(children, null);
        return late;
    }

    /** The token's deadline as a {@link System#nanoTime()} reading, from its remaining time. */
    private static long deadlineNanos(CancellationToken t) {
        long now = System.nanoTime();
        return now + t.remaining().orElseThrow().toNanos();
    }

    private static String p99(long[] samples) {
        long[] s = samples.clone();
        Arrays.sort(s);
        return Out.ms(Out.percentile(s, 0.99));
    }
}
