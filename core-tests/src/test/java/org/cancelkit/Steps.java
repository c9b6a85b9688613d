package org.cancelkit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ordered steps, kotlinx.coroutines' {@code expect(n)} / {@code finish(n)}: each step states its
 * number, and a step taken out of order fails at once, on whichever thread took it. A test then reads
 * like the order of events it asserts, with no sleeps.
 */
final class Steps {
    private final AtomicInteger last = new AtomicInteger();
    private volatile boolean finished;

    /** Step {@code n} happens now; it must come right after step {@code n - 1}. */
    void expect(int n) {
        if (finished) {
            throw new AssertionError("step " + n + " after finish");
        }
        int was = last.getAndIncrement();
        if (was != n - 1) {
            throw new AssertionError("expected step " + (was + 1) + ", got step " + n);
        }
    }

    /** The last step, {@code n}. */
    void finish(int n) {
        expect(n);
        finished = true;
    }

    /** Fails when step {@code n} has not been reached. */
    void assertReached(int n) {
        if (last.get() < n) {
            throw new AssertionError("step " + n + " not reached; last step " + last.get());
        }
    }

    int last() {
        return last.get();
    }
}
