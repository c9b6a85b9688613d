package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cancelkit.spi.ClockService;
import org.cancelkit.spi.TimerTask;
import org.junit.jupiter.api.Test;

/**
 * The clock service provider interface, with the smallest service there is (not the testing kit's
 * clock): the core reads its time, arms every deadline on it, and tells it of waits and participants;
 * on the system clock the service hears nothing.
 */
class ClockServiceTest {

    /** A service that records what the core tells it and fires tasks only when asked to. */
    static final class RecordingService implements ClockService {
        final AtomicLong now = new AtomicLong(1_000);
        final List<TimerTask> armed = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final CountDownLatch parkedOnce = new CountDownLatch(1);

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public void arm(TimerTask task) {
            armed.add(task);
        }

        @Override
        public void parked(int delta, boolean participant) {
            events.add("parked " + delta + (participant ? " participant" : ""));
            if (delta > 0) {
                parkedOnce.countDown();
            }
        }

        @Override
        public void participants(int delta) {
            events.add("participants " + delta);
        }
    }

    /** A clock over a service, as a test kit would write it. */
    static final class ServiceClock extends MonotonicClock {
        ServiceClock(ClockService service) {
            super(service);
        }
    }

    @Test
    void theCoreReadsTheServicesTimeAndArmsEachDeadlineOnIt() {
        RecordingService service = new RecordingService();
        MonotonicClock clock = new ServiceClock(service);
        CancellationSource child = clock.call(() -> CancellationSource.create().child(Duration.ofNanos(500)));

        assertThat(clock.nanoTime()).isEqualTo(1_000);
        assertThat(service.armed).singleElement().satisfies(t -> {
            assertThat(t.deadline()).isEqualTo(1_500); // the service's reading plus the timeout
            assertThat(t.isRetired()).isFalse();
        });
        assertThat(child.isCancelled()).isFalse();
        service.now.set(1_500);
        service.armed.getFirst().fire();
        assertThat(child.isCancelled()).isTrue();
        assertThat(child.reason()).map(CancelReason::kind).contains(CancelReason.Kind.DEADLINE);
        assertThat(service.armed.getFirst().isRetired()).as("a fired deadline is no longer wanted").isTrue();
    }

    @Test
    void aClosedTokensDeadlineIsRetired() {
        RecordingService service = new RecordingService();
        MonotonicClock clock = new ServiceClock(service);
        CancellationSource child = clock.call(() -> CancellationSource.create().child(Duration.ofSeconds(1)));
        child.close();
        assertThat(service.armed).singleElement().satisfies(t -> assertThat(t.isRetired()).isTrue());
    }

    @Test
    void theServiceHearsOfParticipantsAndOfEachWait() throws Exception {
        RecordingService service = new RecordingService();
        MonotonicClock clock = new ServiceClock(service);
        CancellationSource token = clock.call(CancellationSource::create);
        assertThat(service.events).containsExactly("participants 1", "participants -1");

        service.events.clear();
        Thread waiter = clock.startThread(Thread.ofVirtual().name("waiter"), () -> {
            try {
                token.awaitCancellation();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // not expected here; kept for whoever joins
            }
        });
        assertThat(service.parkedOnce.await(30, TimeUnit.SECONDS)).isTrue();
        token.cancel("done");
        waiter.join();
        assertThat(service.events).containsExactly(
                "participants 1", "parked 1 participant", "parked -1 participant", "participants -1");
    }

    @Test
    void negativeControl_outsideTheClocksBindingNoServiceIsConsulted() throws Exception {
        RecordingService service = new RecordingService();
        MonotonicClock clock = new ServiceClock(service);
        // The same code as above, on the system clock: the service hears of none of it.
        try (CancellationSource child = CancellationSource.create().child(Duration.ofHours(1))) {
            CancellationSource token = MonotonicClock.system().call(CancellationSource::create);
            Thread t = MonotonicClock.system().startThread(Thread.ofVirtual(), () -> { });
            t.join();
            token.cancel("done");
            token.awaitCancellation();
            assertThat(child.isCancelled()).isFalse();
        }
        assertThat(service.armed).isEmpty();
        assertThat(service.events).isEmpty();
        // Bound, one deadline reaches it: the binding is what routes the core to the service.
        try (CancellationSource child = clock.call(() -> CancellationSource.create().child(Duration.ofHours(1)))) {
            assertThat(service.armed).hasSize(1);
            assertThat(child.isCancelled()).isFalse();
        }
    }
}
