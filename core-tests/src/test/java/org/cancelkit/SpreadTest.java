package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Node invariant 8 and Spread: many bound threads released by one cancel are delivered in parallel, each once. */
class SpreadTest {

    /** A fast listener that counts its runs. */
    static final class Counting extends Listener {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        boolean fast() {
            return true;
        }

        @Override
        void fire(Cancel cancel) {
            runs.incrementAndGet();
        }
    }

    static List<Listener> counting(int n) {
        List<Listener> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Counting());
        }
        return list;
    }

    static long notOnce(List<Listener> list) {
        return list.stream().filter(l -> ((Counting) l).runs.get() != 1).count();
    }

    @Test
    @DisplayName("Spread 1, 2: every listener has run exactly once when fire returns")
    void everyListenerOnceBeforeReturn() {
        Cancel c = new Cancel(CancelReason.requested("test"), Node.root(SystemClock.INSTANCE, Scope.NONE), true);
        for (int n : new int[] {Spread.MIN, Spread.MIN + 1, 10 * Spread.CHUNK + 7, 5_000}) {
            List<Listener> list = counting(n);
            Listener.fireAll(list, c);
            assertThat(notOnce(list)).as("listeners not run exactly once, of %d", n).isZero();
        }
    }

    @Test
    @DisplayName("Spread negative control: the once-check sees a listener run twice")
    void negativeControl_twiceIsSeen() {
        Cancel c = new Cancel(CancelReason.requested("test"), Node.root(SystemClock.INSTANCE, Scope.NONE), true);
        List<Listener> list = counting(Spread.MIN);
        Listener.fireAll(list, c);
        Listener.fireOne(list.get(3), c);
        assertThat(notOnce(list)).isEqualTo(1);
    }

    @Test
    @DisplayName("C4: cancelling a group of 2,000 blocked forks interrupts every one; the owner keeps no stray interrupt")
    void largeGroupEveryForkInterrupted() throws Exception {
        int n = 2_000;
        CountDownLatch started = new CountDownLatch(n);
        TaskReport report;
        try (TaskGroup g = TaskGroup.open(CompletionPolicy.supervise())) {
            for (int i = 0; i < n; i++) {
                g.fork("sleeper", () -> {
                    started.countDown();
                    Thread.sleep(Duration.ofMinutes(10));
                });
            }
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            g.cancelAll("test");
            report = g.join();
        }
        assertThat(report.cancelled()).as("forks stopped by the cancel").hasSize(n);
        assertThat(Thread.currentThread().isInterrupted()).as("stray interrupt on the owner").isFalse();
    }
}
