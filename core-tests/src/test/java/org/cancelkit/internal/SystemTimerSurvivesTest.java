package org.cancelkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** C11: the system timer survives any {@code Throwable} from an entry and goes on firing the others. */
class SystemTimerSurvivesTest {

    private static TimerEntry entry(long inNanos, Runnable fire, boolean retiredThrows) {
        return new TimerEntry(System.nanoTime() + inNanos) {
            @Override
            protected boolean isRetired() {
                if (retiredThrows) {
                    throw new StackOverflowError("an entry that cannot say whether it is retired");
                }
                return false;
            }

            @Override
            protected void fire() {
                fire.run();
            }
        };
    }

    @Test
    @DisplayName("C11: an Error from fire() and from isRetired() is reported; later deadlines still fire")
    void survivesErrors() throws Exception {
        CountDownLatch later = new CountDownLatch(2);
        SystemTimer.INSTANCE.arm(entry(1_000_000, () -> {
            throw new OutOfMemoryError("thrown by an entry's fire, on purpose");
        }, false));
        SystemTimer.INSTANCE.arm(entry(1_000_000, () -> { }, true));
        SystemTimer.INSTANCE.arm(entry(20_000_000, later::countDown, false));
        SystemTimer.INSTANCE.arm(entry(40_000_000, later::countDown, false));
        assertThat(later.await(30, TimeUnit.SECONDS)).as("both later deadlines fired").isTrue();
    }

    @Test
    @DisplayName("C11 negative control: an entry that is retired does not fire")
    void negativeControl_retiredEntryDoesNotFire() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        CountDownLatch after = new CountDownLatch(1);
        SystemTimer.INSTANCE.arm(new TimerEntry(System.nanoTime() + 1_000_000) {
            @Override
            protected boolean isRetired() {
                return true;
            }

            @Override
            protected void fire() {
                fired.countDown();
            }
        });
        SystemTimer.INSTANCE.arm(entry(20_000_000, after::countDown, false));
        assertThat(after.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(fired.getCount()).isEqualTo(1);
    }
}
