package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * L1 on the real clock, under load (TESTING.md, "drain within grace", in-process): 32 workers take
 * items from a queue and work on each for 0–2 ms; the shutdown comes after a random number of items
 * (an event, not a sleep). Pass, every run: every item taken is done or returned (0 lost); each
 * worker's cleanup ran exactly once; the shutdown ends
 * within its budget. With a grace of one second, nothing is even returned: no item is interrupted.
 * Negative control: with zero grace, items are interrupted mid-work and returned. Prints its seed.
 */
class DrainTest {
    private static final long SEED = Long.getLong("cancelkit.seed", System.nanoTime());

    private record Totals(int done, int returned, int runs) {}

    @Test
    @DisplayName("L1: 32 workers drain within their grace, 20 runs: 0 items lost, 0 interrupted, cleanup once")
    void drainWithinGrace() throws Exception {
        Totals t = runs(20, Duration.ofSeconds(1));
        assertThat(t.returned()).as("items interrupted mid-work, seed " + SEED).isZero();
        assertThat(t.done()).isPositive();
    }

    @Test
    @Tag("stress")
    @DisplayName("L1 stress: 32 workers drain within their grace, 200 runs")
    void drainWithinGrace_stress() throws Exception {
        Totals t = runs(200, Duration.ofSeconds(1));
        assertThat(t.returned()).as("seed " + SEED).isZero();
    }

    @Test
    @DisplayName("L1 negative control: with zero grace the same workers are interrupted mid-item")
    void zeroGraceInterrupts() throws Exception {
        Totals t = runs(5, Duration.ZERO);
        assertThat(t.returned()).as("items interrupted and returned, seed " + SEED).isPositive();
    }

    private static Totals runs(int runs, Duration grace) throws Exception {
        Random rnd = new Random(SEED);
        int done = 0;
        int returned = 0;
        for (int run = 0; run < runs; run++) {
            int items = 2_000;
            ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < items; i++) {
                queue.add(i);
            }
            AtomicInteger doneCount = new AtomicInteger();
            AtomicInteger returnedCount = new AtomicInteger();
            AtomicInteger cleanups = new AtomicInteger();
            int trigger = 50 + rnd.nextInt(400);
            CountDownLatch enough = new CountDownLatch(trigger);
            long workSeed = rnd.nextLong();
            List<Component> workers = new ArrayList<>();
            for (int w = 0; w < 32; w++) {
                Random own = new Random(workSeed + w);
                workers.add(Worker.of("w" + w, grace, token -> {
                    try {
                        while (!token.isCancelled()) {
                            Integer item = queue.poll();
                            if (item == null) {
                                token.awaitCancellation();
                                break;
                            }
                            try {
                                Thread.sleep(own.nextInt(3)); // the work; only a hard cancel interrupts it
                            } catch (InterruptedException e) {
                                queue.add(item); // not done: give it back, nothing lost
                                returnedCount.incrementAndGet();
                                throw e; // the hard cancel: unwind
                            }
                            doneCount.incrementAndGet();
                            enough.countDown();
                        }
                    } finally {
                        cleanups.incrementAndGet();
                    }
                }));
            }
            Application app = Application.builder("drain").add(workers.toArray(Component[]::new))
                    .budget(Duration.ofSeconds(30)).build().start();
            enough.await();
            app.shutdown("run " + run);
            ShutdownReport report = app.awaitTermination();

            assertThat(doneCount.get() + queue.size()).as("0 lost, run %d, seed %d", run, SEED).isEqualTo(items);
            assertThat(cleanups.get()).as("cleanup once per worker").isEqualTo(32);
            assertThat(report.withinBudget()).isTrue();
            assertThat(report.workers()).noneMatch(w -> w.outcome() == WorkerOutcome.ABANDONED
                    || w.outcome() == WorkerOutcome.FAILED);
            done += doneCount.get();
            returned += returnedCount.get();
        }
        System.out.printf("[drain] %d runs, grace %s, seed %d: %d items done, %d returned%n", runs, grace, SEED, done,
                returned);
        return new Totals(done, returned, runs);
    }
}
