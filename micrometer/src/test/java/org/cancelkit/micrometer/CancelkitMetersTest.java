package org.cancelkit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cancelkit.Bulkhead;
import org.cancelkit.CancelReason;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.CompletionPolicy;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Registration;
import org.cancelkit.TaskGroup;
import org.cancelkit.TaskReport;
import org.cancelkit.jobs.Progress;
import org.cancelkit.jobs.Progress.Event;
import org.junit.jupiter.api.Test;

/** Every meter of the table, from the public API's events and snapshots. */
class CancelkitMetersTest {
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final CancelkitMeters meters = CancelkitMeters.of(registry);

    private long timerCount(String name, String... tags) {
        var t = registry.find(name).tags(tags).timer();
        return t == null ? 0 : t.count();
    }

    private double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void timeoutsByOutcome() throws Exception {
        assertThat(meters.timeout("quick", Duration.ofHours(1), () -> 42)).isEqualTo(42);
        // a zero timeout has already expired: its own deadline stops the body at its first sleep
        assertThatThrownBy(() -> meters.timeout("quick", Duration.ZERO, () -> {
            Cancellation.sleep(Duration.ofHours(1));
            return 0;
        })).isInstanceOf(DeadlineExceededException.class);
        assertThatThrownBy(() -> meters.timeout("quick", Duration.ofHours(1), () -> {
            throw new IllegalStateException("own failure");
        })).isInstanceOf(IllegalStateException.class);
        try (CancellationSource outer = CancellationSource.create()) {
            outer.cancel(CancelReason.shutdown("test"));
            assertThatThrownBy(() -> outer.call(() -> meters.timeout("quick", Duration.ofHours(1), () -> {
                Cancellation.check();
                return 0;
            }))).isInstanceOf(CancelledException.class);
        }
        assertThat(timerCount("cancelkit.timeouts", "name", "quick", "outcome", "completed")).isEqualTo(1);
        assertThat(timerCount("cancelkit.timeouts", "name", "quick", "outcome", "fired")).isEqualTo(1);
        assertThat(timerCount("cancelkit.timeouts", "name", "quick", "outcome", "failed")).isEqualTo(1);
        assertThat(timerCount("cancelkit.timeouts", "name", "quick", "outcome", "cancelled")).isEqualTo(1);
    }

    @Test
    void cancelsByReasonKind() {
        CancellationSource a = CancellationSource.create();
        CancellationSource expired = CancellationSource.create().child(Duration.ZERO); // a deadline, at once
        CancellationSource c = CancellationSource.create();
        meters.watch(a, "http.server");
        meters.watch(expired, "http.server");
        Registration ended = meters.watch(c, "http.server");
        a.cancel(CancelReason.shutdown("SIGTERM"));
        ended.close();   // negative control: the work ended first, so its close is not a cancel
        c.close();
        expired.close();
        a.close();
        assertThat(counter("cancelkit.cancels", "scope", "http.server", "reason", "shutdown")).isEqualTo(1);
        assertThat(counter("cancelkit.cancels", "scope", "http.server", "reason", "deadline")).isEqualTo(1);
        assertThat(counter("cancelkit.cancels", "scope", "http.server", "reason", "closed")).isZero();
    }

    @Test
    void taskOutcomesAndAbandonedTasks() throws Exception {
        TaskReport report;
        try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
            group.fork("ok", () -> 1);
            group.fork("bad", () -> {
                throw new IllegalStateException("bad");
            });
            report = group.join();
        }
        meters.record("page", report);
        assertThat(timerCount("cancelkit.tasks", "group", "page", "outcome", "completed")).isEqualTo(1);
        assertThat(timerCount("cancelkit.tasks", "group", "page", "outcome", "failed")).isEqualTo(1);
        assertThat(counter("cancelkit.tasks.abandoned", "group", "page")).isZero();
    }

    @Test
    void bulkheadInUseWaitingRejected() throws Exception {
        Bulkhead db = Bulkhead.of("db", 2);
        new BulkheadMetrics(List.of(db)).bindTo(registry);
        try (Bulkhead.Permit _ = db.acquire()) {
            Optional<Bulkhead.Permit> second = db.tryAcquire();
            assertThat(second).isPresent();
            assertThat(db.tryAcquire()).isEmpty(); // rejected: none free
            assertThat(registry.get("cancelkit.bulkhead.in.use").tag("name", "db").gauge().value()).isEqualTo(2);
            assertThat(registry.get("cancelkit.bulkhead.limit").tag("name", "db").gauge().value()).isEqualTo(2);
            assertThat(registry.get("cancelkit.bulkhead.waiting").tag("name", "db").gauge().value()).isZero();
            second.get().close();
        }
        assertThat(registry.get("cancelkit.bulkhead.in.use").tag("name", "db").gauge().value()).isZero();
        assertThat(registry.get("cancelkit.bulkhead.rejected").tag("name", "db").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("cancelkit.bulkhead.acquired").tag("name", "db").functionCounter().count()).isEqualTo(2);
    }

    @Test
    void shutdownDurationAndOutcome() {
        meters.shutdown("http.server", Duration.ofMillis(1500), "forced", Map.of("in_grace", 3L, "after_hard_cancel", 1L));
        var t = registry.get("cancelkit.shutdown").tags("component", "http.server", "outcome", "forced").timer();
        assertThat(t.count()).isEqualTo(1);
        assertThat(t.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(1500);
        assertThat(counter("cancelkit.shutdown.stopped", "component", "http.server", "outcome", "in_grace")).isEqualTo(3);
    }

    @Test
    void aLifecycleShutdownReport() {
        var report = new org.cancelkit.lifecycle.ShutdownReport("orders", "SIGTERM", Optional.empty(),
                Duration.ofSeconds(30), Duration.ofMillis(2500), List.of(
                        worker("orders/http", org.cancelkit.lifecycle.WorkerOutcome.STOPPED_IN_GRACE),
                        worker("orders/queue", org.cancelkit.lifecycle.WorkerOutcome.STOPPED_IN_GRACE),
                        worker("orders/batch", org.cancelkit.lifecycle.WorkerOutcome.STOPPED_AFTER_HARD_CANCEL)));
        LifecycleMetrics.record(meters, report);
        var t = registry.get("cancelkit.shutdown").tags("component", "orders", "outcome", "forced").timer();
        assertThat(t.count()).isEqualTo(1);
        assertThat(t.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(2500);
        assertThat(counter("cancelkit.shutdown.stopped", "component", "orders", "outcome", "stopped_in_grace")).isEqualTo(2);
        assertThat(counter("cancelkit.shutdown.stopped", "component", "orders", "outcome", "stopped_after_hard_cancel"))
                .isEqualTo(1);
        assertThat(counter("cancelkit.shutdown.stopped", "component", "orders", "outcome", "abandoned")).isZero();
    }

    private static org.cancelkit.lifecycle.WorkerReport worker(String path, org.cancelkit.lifecycle.WorkerOutcome o) {
        return new org.cancelkit.lifecycle.WorkerReport(path, o, Duration.ofSeconds(5), Duration.ofMillis(100),
                Duration.ofMinutes(1), null, List.of());
    }

    private static Progress p(Event e, long done, long ms) {
        return new Progress(e, done, 10, done, Duration.ofMillis(ms), 0, null);
    }

    @Test
    void jobProgressAndCheckpointLatency() {
        JobMetrics job = JobMetrics.of(registry, "import");
        job.onProgress(p(Event.STARTED, 0, 0));
        job.onProgress(p(Event.ITEM_DONE, 1, 10));
        job.onProgress(p(Event.ITEM_DONE, 2, 20));
        job.onProgress(p(Event.CHECKPOINT, 2, 27));   // written 7 ms after the item that triggered it
        job.onProgress(p(Event.ITEM_DONE, 3, 30));
        job.onProgress(p(Event.STOPPED, 3, 31));
        assertThat(registry.get("cancelkit.job.items.done").tag("job", "import").gauge().value()).isEqualTo(3);
        assertThat(registry.get("cancelkit.job.items.total").tag("job", "import").gauge().value()).isEqualTo(10);
        assertThat(counter("cancelkit.job.items.processed", "job", "import")).isEqualTo(3);
        var cp = registry.get("cancelkit.job.checkpoint").tag("job", "import").timer();
        assertThat(cp.count()).isEqualTo(1);
        assertThat(cp.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(7);
        assertThat(counter("cancelkit.job.runs", "job", "import", "outcome", "started")).isEqualTo(1);
        assertThat(counter("cancelkit.job.runs", "job", "import", "outcome", "stopped")).isEqualTo(1);
    }

    @Test
    void declaredMetersExistAtZeroAndKeepCountingAfterTheRegistryIsClosed() {
        meters.declareCancels("http.server");
        meters.declareShutdown("http.server", List.of("clean", "forced"), List.of("in_grace"));
        assertThat(counter("cancelkit.cancels", "scope", "http.server", "reason", "shutdown")).isZero();
        assertThat(timerCount("cancelkit.shutdown", "component", "http.server", "outcome", "clean")).isZero();
        registry.close();
        meters.cancelled("http.server", CancelReason.Kind.SHUTDOWN);
        meters.shutdown("http.server", Duration.ofSeconds(1), "clean", Map.of("in_grace", 2L));
        assertThat(counter("cancelkit.cancels", "scope", "http.server", "reason", "shutdown")).isEqualTo(1);
        assertThat(timerCount("cancelkit.shutdown", "component", "http.server", "outcome", "clean")).isEqualTo(1);
        assertThat(counter("cancelkit.shutdown.stopped", "component", "http.server", "outcome", "in_grace")).isEqualTo(2);
    }

    @Test
    void aPerCallTagValueIsRefused() {
        assertThatThrownBy(() -> meters.timeout("GET /users/12345?x=1", Duration.ofSeconds(1), () -> 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one time series per value");
    }
}
