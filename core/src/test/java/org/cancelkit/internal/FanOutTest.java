package org.cancelkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** SystemTimer invariant 7: a herd's entries are shared with helper timer threads, each fired once. */
class FanOutTest {

    /** Counts how often each entry fired and whether it fired on a timer thread. */
    static final class Counted extends TimerEntry {
        final AtomicInteger fired = new AtomicInteger();
        volatile boolean onTimer;
        volatile String threadName = "";
        final CountDownLatch all;

        Counted(long deadline, CountDownLatch all) {
            super(deadline);
            this.all = all;
        }

        @Override
        protected boolean isRetired() {
            return false;
        }

        @Override
        protected void fire() {
            fired.incrementAndGet();
            onTimer = onTimerThread();
            threadName = Thread.currentThread().getName();
            all.countDown();
        }
    }

    static List<Counted> herd(int n, CountDownLatch all) {
        List<Counted> due = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            due.add(new Counted(i, all));
        }
        return due;
    }

    /** The entries that did not fire exactly once. */
    static long notOnce(List<Counted> due) {
        return due.stream().filter(e -> e.fired.get() != 1).count();
    }

    @Test
    @DisplayName("SystemTimer 7: every entry of a herd fires exactly once; the shares past the first fire on helper timer threads")
    void everyEntryOnceSharesOnHelpers() throws Exception {
        int n = 4 * SystemTimer.FAN_OUT_MIN;
        CountDownLatch all = new CountDownLatch(n);
        List<Counted> due = herd(n, all);
        long before = FanOut.sharesHandedOutForTesting();
        FanOut.fire(new ArrayList<>(due));
        assertThat(all.await(30, TimeUnit.SECONDS)).as("every entry fired").isTrue();
        assertThat(notOnce(due)).as("entries not fired exactly once").isZero();
        assertThat(FanOut.sharesHandedOutForTesting()).as("shares handed to helpers").isGreaterThan(before);
        ConcurrentHashMap.KeySetView<String, Boolean> helperNames = ConcurrentHashMap.newKeySet();
        for (Counted e : due) {
            if (!e.threadName.equals(Thread.currentThread().getName())) {
                assertThat(e.onTimer).as("a share fired off the calling thread runs on a timer thread").isTrue();
                helperNames.add(e.threadName);
            }
        }
        assertThat(helperNames).as("threads that fired the helpers' shares").containsOnly("cancelkit-timer-helper");
        assertThat(due.getFirst().threadName).as("the earliest share stays on the firing thread")
                .isEqualTo(Thread.currentThread().getName());
    }

    @Test
    @DisplayName("SystemTimer 7 negative control: the once-check reports an entry fired twice")
    void negativeControl_doubleFireIsSeen() throws Exception {
        CountDownLatch all = new CountDownLatch(2);
        List<Counted> due = herd(1, all);
        SystemTimer.fireAll(new ArrayList<>(due));
        SystemTimer.fireAll(new ArrayList<>(due));
        assertThat(notOnce(due)).isEqualTo(1);
    }
}
