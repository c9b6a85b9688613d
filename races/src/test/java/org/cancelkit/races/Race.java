package org.cancelkit.races;

/**
 * One execution of a race, in the shape of a jcstress test: a fresh instance holds the state of one
 * execution, two actors run concurrently on it, and the arbiter runs after both have ended and throws
 * when the outcome is forbidden.
 *
 * <p>Fields: set up by the constructor (single-threaded), written by the actors, read by the arbiter
 * after both actor threads were joined (so every actor write happens-before the arbiter's reads).
 */
abstract class Race {

    /** Runs on the first actor thread. */
    abstract void actor1();

    /** Runs on the second actor thread. */
    abstract void actor2();

    /**
     * Runs after both actors ended.
     *
     * @throws AssertionError with a message starting {@code "forbidden: "} for a forbidden outcome
     */
    abstract void arbiter();

    /**
     * Fails the execution with a forbidden outcome when {@code condition} holds.
     *
     * @param condition true when the outcome is forbidden
     * @param what the outcome, for the report
     */
    static void forbidIf(boolean condition, String what) {
        if (condition) {
            throw new AssertionError("forbidden: " + what);
        }
    }

    /**
     * A callback that counts its runs. A named class rather than {@code counter::incrementAndGet}: Lincheck
     * cannot take field offsets of a capturing lambda's hidden class.
     */
    static final class Count implements Runnable {
        private final java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void run() {
            runs.incrementAndGet();
        }

        int get() {
            return runs.get();
        }
    }
}
