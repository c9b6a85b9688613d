package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void timeoutStopsSleepingBody() {
        AtomicBoolean finished = new AtomicBoolean();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Timeout.run(Duration.ofMillis(50), () -> {
            Thread.sleep(10_000);
            finished.set(true);
        })).isInstanceOf(DeadlineExceededException.class);
        assertThat(finished).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        System.out.println("took ms " + (System.nanoTime() - t0) / 1e6);
    }

    @Test
    void virtualClockTimeout() throws Exception {
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> {
            CancellationToken t = CancellationToken.create().child(Duration.ofHours(1));
            clock.advance(Duration.ofMinutes(59));
            assertThat(t.isCancelled()).isFalse();
            clock.advance(Duration.ofMinutes(1));
            assertThat(t.isCancelled()).isTrue();
            assertThat(t.reason().orElseThrow().kind()).isEqualTo(CancelReason.Kind.DEADLINE);
        });
    }

    @Test
    void virtualSleepInOtherThread() throws Exception {
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> {
            Thread th = Thread.ofVirtual().start(() -> clock.run(() -> {
                try {
                    Timeout.run(Duration.ofSeconds(1), () -> Cancellation.sleep(Duration.ofSeconds(10)));
                } catch (DeadlineExceededException e) {
                    System.out.println("deadline ok " + e);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }));
            clock.awaitParked(1);
            clock.advance(Duration.ofSeconds(1));
            th.join();
        });
    }
}
