package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Regression for the upgrade livelock found by the benchmarks: two threads moving a parent's single
 * direct listener into stripes at the same moment; the loser reset the winner's {@code home}, and the
 * listener's unlink then spun for ever. Two threads bind to one fresh parent per round and each runs a
 * timeout under it, so both add a listener to a head that holds exactly one; before the fix this hung
 * within about a thousand rounds.
 */
class UpgradeRaceRegressionTest {
    @Test
    @org.junit.jupiter.api.Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twoThreadsUpgradingOneHeadNeverLivelock() throws Exception {
        int rounds = 5_000;
        CancellationSource[] parent = {CancellationSource.create()};
        // The barrier's action runs between rounds: a fresh parent each time.
        CyclicBarrier start = new CyclicBarrier(2, () -> parent[0] = CancellationSource.create());
        AtomicInteger done = new AtomicInteger();
        Runnable worker = () -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    start.await();
                    parent[0].run(() -> Timeout.call(Duration.ofSeconds(1), () -> 1));
                    done.incrementAndGet();
                    start.await();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        Thread a = Thread.ofPlatform().unstarted(worker);
        Thread b = Thread.ofPlatform().unstarted(worker);
        a.start();
        b.start();
        a.join();
        b.join();
        assertThat(done.get()).isEqualTo(2 * rounds);
    }
}
