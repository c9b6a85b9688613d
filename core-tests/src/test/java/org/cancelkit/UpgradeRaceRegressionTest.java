package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two threads linking to and unlinking from one fresh root at the same moment never hang (Node,
 * invariants 2, 4 and 9). Each round makes a fresh root; both threads bind to it (each links a
 * {@link Binding} listener to the root's list) and run a {@link Timeout} under it (each links a child,
 * closes it and unlinks it). When both children are linked at once the root starts to spread its
 * later children over {@link Stripes}, making the stripes array and a stripe under the root's lock
 * while the other thread links or unlinks under the same lock. The test asserts that every round
 * ends, within the class timeout: a lost unlink, a spin on a list another thread has changed, or a
 * lock taken in the wrong order would hang a round.
 */
class UpgradeRaceRegressionTest {
    @Test
    @org.junit.jupiter.api.Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twoThreadsLinkingToOneFreshRootNeverHang() throws Exception {
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
