package org.cancelkit.races;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Runs a {@link Race} many times on two real platform threads, both released at once by a spin
 * barrier, and counts forbidden outcomes: the jcstress idea, in miniature. The model checker explores
 * interleavings under sequential consistency; this complements it with the real memory model and the
 * real JIT. Probabilistic, so it runs only under the {@code stress} tag.
 *
 * <p>No clock is involved: the threads hand over through volatile counters and spin.
 */
final class RealThreads {
    private RealThreads() {}

    /** What a run found. */
    record Result(int executions, int forbidden, String firstForbidden) {}

    /**
     * Fails when any of {@code executions} runs of a fresh race had a forbidden outcome.
     *
     * @param factory makes one race per execution
     * @param executions how many
     */
    static void assertNoForbidden(Supplier<? extends Race> factory, int executions) {
        Result r = run(factory, executions);
        if (r.forbidden() != 0) {
            throw new AssertionError(r.forbidden() + " of " + r.executions() + " executions on real threads "
                    + "had a forbidden outcome; the first: " + r.firstForbidden());
        }
    }

    /**
     * Runs {@code executions} fresh races: actor1 on the calling thread, actor2 on a helper.
     *
     * @param factory makes one race per execution
     * @param executions how many
     * @return the count of forbidden outcomes and the first one
     */
    static Result run(Supplier<? extends Race> factory, int executions) {
        Objects.requireNonNull(factory, "factory");
        Helper helper = new Helper();
        Thread t = Thread.ofPlatform().name("races-actor2").daemon().start(helper);
        int forbidden = 0;
        String first = null;
        try {
            for (int i = 1; i <= executions; i++) {
                Race race = factory.get();
                ModelCheck.Actor one = new ModelCheck.Actor(race, true);
                ModelCheck.Actor two = new ModelCheck.Actor(race, false);
                helper.next = two;
                helper.go = i;                        // volatile write: publishes the race
                one.run();
                while (helper.done != i) {            // volatile read: actor2's writes are visible after
                    Thread.onSpinWait();
                }
                Thread.interrupted();                 // an actor's own leak is judged by the race, not here
                try {
                    one.rethrow();
                    two.rethrow();
                    race.arbiter();
                } catch (AssertionError e) {
                    forbidden++;
                    if (first == null) {
                        first = "execution " + i + ": " + e.getMessage();
                    }
                }
            }
        } finally {
            helper.go = -1;
            try {
                t.join();
            } catch (InterruptedException e) {
                // The helper stops by itself; keep the caller's interrupt for whoever asked.
                Thread.currentThread().interrupt();
            }
        }
        return new Result(executions, forbidden, first);
    }

    /** Runs actor2 of each execution as soon as it is published. */
    private static final class Helper implements Runnable {
        /** Written by the driver before {@link #go}; read by the helper after it. */
        ModelCheck.Actor next;
        /** The execution to run, -1 to stop; written by the driver. */
        volatile int go;
        /** The last execution run; written by the helper. */
        volatile int done;

        @Override
        public void run() {
            int last = 0;
            while (true) {
                int g;
                while ((g = go) == last) {
                    Thread.onSpinWait();
                }
                if (g < 0) {
                    return;
                }
                next.run();
                Thread.interrupted(); // see the driver
                last = g;
                done = g;
            }
        }
    }
}
