package org.cancelkit.races;

import java.lang.reflect.Field;
import java.util.Objects;
import java.util.function.Supplier;
import org.jetbrains.lincheck.Lincheck;

/**
 * Runs a {@link Race} under Lincheck's model checker ({@link Lincheck#runConcurrentTest}), which
 * explores the interleavings of the actor threads at every shared-memory access, lock, park and
 * CAS, and fails with a {@code LincheckAssertionError} (carrying the interleaving) when any explored
 * execution throws.
 *
 * <p>What this wrapper does on purpose, each found when smoke-testing Lincheck 3.7 on JDK 25 (without
 * it the checker silently found nothing, or failed on non-determinism):
 * <ul>
 *   <li>The race is published through the static {@link #published} field before the actor threads
 *       start. Lincheck treats objects that only reach another thread through the {@code Thread}
 *       constructor as thread-local and inserts no switch points on them (on JDK 25 the runnable
 *       lives in {@code Thread.holder}, which its escape analysis does not follow), so without this
 *       even a plain lost update goes unnoticed. {@code HarnessSelfTest} keeps that checked.</li>
 *   <li>The explored block holds a prototype race, built before exploring starts. Lincheck 3.7
 *       instruments classes lazily: when instrumented code allocates them, touches their statics, or
 *       when they are reachable from the explored block. A race built by a method reference (a
 *       hidden class, never instrumented) and called through the abstract {@link Race} would run
 *       uninstrumented: no switch points, nothing found. The prototype makes Lincheck instrument
 *       the race's class and every class reachable from it (the tokens, the clock) up front.</li>
 *   <li>The explored block and the actors are named classes, not capturing lambdas: Lincheck cannot
 *       take field offsets of a lambda's hidden class.</li>
 *   <li>The core's service threads are started before exploring (see {@link #startCoreServiceThreads}).</li>
 *   <li>The actor threads get fixed thread ids. The token tree picks a listener stripe from the
 *       adding thread's id; fresh threads get fresh ids, so without this every explored execution
 *       (and Lincheck's replay of a failing one) would touch different stripes, which Lincheck
 *       reports as non-determinism. Fixing the ids also lets a test choose the {@link Placement}:
 *       both actors on one stripe, or on two. Needs {@code --add-opens java.base/java.lang}.</li>
 * </ul>
 */
final class ModelCheck {
    private ModelCheck() {}

    /** Makes each race reachable from a static root, so Lincheck sees it as shared (see above). */
    @SuppressWarnings("unused") // written for Lincheck's escape analysis, never read
    private static volatile Race published;

    /** Where the two actors add listeners in a striped list. */
    enum Placement {
        /** On two different stripes: their list operations do not share a monitor. */
        SPREAD(1, 2),
        /** On the same stripe: their list operations contend for one monitor. */
        SHARED(1, 1 + 64);

        /** Thread ids far above any real one; equal modulo 32 (the most stripes) means one stripe. */
        private static final long BASE = 1L << 40;
        final long firstId;
        final long secondId;

        Placement(long first, long second) {
            this.firstId = BASE + first;
            this.secondId = BASE + second;
        }
    }

    /**
     * Explores {@code invocations} interleavings of fresh races from {@code factory} for each
     * {@link Placement}, half of them each.
     *
     * @param factory makes one race per explored execution; a non-capturing method reference
     * @param invocations how many interleavings to explore in all
     * @throws org.jetbrains.lincheck.LincheckAssertionError when an execution had a forbidden outcome
     */
    static void check(Supplier<? extends Race> factory, int invocations) {
        for (Placement p : Placement.values()) {
            check(factory, p, Math.max(1, invocations / 2));
        }
    }

    /**
     * Explores {@code invocations} interleavings of fresh races from {@code factory}.
     *
     * @param factory makes one race per explored execution; a non-capturing method reference
     * @param placement where the actors add listeners
     * @param invocations how many interleavings to explore
     * @throws org.jetbrains.lincheck.LincheckAssertionError when an execution had a forbidden outcome
     */
    static void check(Supplier<? extends Race> factory, Placement placement, int invocations) {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(placement, "placement");
        Lincheck.runConcurrentTest(invocations, new Execution(factory, placement));
    }

    private static final Field THREAD_ID;

    static {
        startCoreServiceThreads();
        try {
            THREAD_ID = Thread.class.getDeclaredField("tid");
            THREAD_ID.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("cannot fix thread ids (run with --add-opens "
                    + "java.base/java.lang=ALL-UNNAMED, as races/pom.xml does): " + e);
        }
    }

    /**
     * Starts the core's service threads (the level-triggered redelivery watcher) before any explored
     * execution: a thread started from inside one would be taken for a thread of the test, and its
     * timed park loop for a livelock. A hard cancel delivered to a bound thread starts it.
     */
    private static void startCoreServiceThreads() {
        org.cancelkit.CancellationSource warm = org.cancelkit.CancellationSource.create();
        warm.run(() -> warm.cancel("start the redelivery watcher"));
        Thread.interrupted(); // the region cleared cancelkit's interrupt; this clears nothing else
    }

    private static Thread threadWithId(Runnable body, long id) {
        Thread t = new Thread(body);
        try {
            THREAD_ID.setLong(t, id);
        } catch (IllegalAccessException e) {
            throw new AssertionError("cannot fix the thread id", e);
        }
        return t;
    }

    /** One explored execution: build, publish, run both actors, join, judge. */
    private static final class Execution implements Runnable {
        private final Supplier<? extends Race> factory;
        private final Placement placement;
        /** Never run: only there so that Lincheck instruments what a race reaches (see above). */
        @SuppressWarnings("unused")
        private final Race prototype;

        Execution(Supplier<? extends Race> factory, Placement placement) {
            this.factory = factory;
            this.placement = placement;
            this.prototype = factory.get();
        }

        @Override
        public void run() {
            Race race = factory.get();
            published = race;
            Actor first = new Actor(race, true);
            Actor second = new Actor(race, false);
            Thread t1 = threadWithId(first, placement.firstId);
            Thread t2 = threadWithId(second, placement.secondId);
            t1.start();
            t2.start();
            try {
                t1.join();
                t2.join();
            } catch (InterruptedException e) {
                // Nobody interrupts the explored block's own thread; if it happens, keep the flag and fail.
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while joining the actors", e);
            }
            first.rethrow();
            second.rethrow();
            race.arbiter();
        }
    }

    /** Runs one actor and keeps what it threw, so the explored block can report it. */
    static final class Actor implements Runnable {
        private final Race race;
        private final boolean first;
        /** Written by the actor thread, read after it was joined. */
        private Throwable failure;

        Actor(Race race, boolean first) {
            this.race = race;
            this.first = first;
        }

        @Override
        public void run() {
            try {
                if (first) {
                    race.actor1();
                } else {
                    race.actor2();
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        void rethrow() {
            if (failure != null) {
                throw new AssertionError("actor" + (first ? 1 : 2) + " threw " + failure, failure);
            }
        }
    }
}
