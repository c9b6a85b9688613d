package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.cancelkit.CancelEvent;
import org.cancelkit.CancelEvents;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.testkit.CancelkitTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle module's events: a worker that ends in its grace gives a soft ShutdownPhase with that
 * grace, a WorkerEnded STOPPED_IN_GRACE and a graceful Shutdown, in that order, both as Flight
 * Recorder events (with the shipped {@code cancelkit.jfc}) and to a hook listener. Negative control:
 * the JDK's default settings record none of them.
 */
@CancelkitTest(autoAdvance = false)
class LifecycleEventsTest {

    /** The recorder's first start opens files it keeps for the JVM's life: not a leak of a test. */
    @BeforeAll
    static void startTheRecorderOnce() throws Exception {
        try (Recording warmUp = new Recording(Configuration.getConfiguration("default"))) {
            warmUp.start();
            warmUp.stop();
        }
    }

    record Seen(List<RecordedEvent> jfr, List<CancelEvent> hook) {}

    Seen shutdownInGrace(VirtualClock clock, Configuration settings) throws Exception {
        Path file = Files.createTempFile("lifecycle", ".jfr");
        List<CancelEvent> hook = new CopyOnWriteArrayList<>();
        try (Recording rec = new Recording(settings); var _ = CancelEvents.register(hook::add)) {
            rec.start();
            Fixture f = new Fixture(1);
            Duration grace = Duration.ofSeconds(5);
            Application app = Application.builder("events").add(f.slowCleanup("db", grace)).build().start();
            f.awaitStarted();
            app.shutdown("test");
            f.awaitCancelled("db");
            clock.awaitParked(1);
            clock.advance(Duration.ofSeconds(2));
            f.release.countDown();
            assertThat(app.awaitTermination().worker("db").outcome()).isEqualTo(WorkerOutcome.STOPPED_IN_GRACE);
            rec.stop();
            rec.dump(file);
            List<RecordedEvent> ours = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().startsWith("org.cancelkit.lifecycle."))
                    .sorted((a, b) -> a.getEndTime().compareTo(b.getEndTime())).toList();
            return new Seen(ours, List.copyOf(hook));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    @DisplayName("ShutdownPhase, WorkerEnded and Shutdown: recorded with their fields, and seen by the hook in order")
    void shutdownEvents(VirtualClock clock) throws Exception {
        Seen s = shutdownInGrace(clock, Configuration.create(new StringReader(CancelEvents.jfrSettings())));
        assertThat(s.jfr()).extracting(e -> e.getEventType().getName()).containsExactly(
                "org.cancelkit.lifecycle.ShutdownPhase", "org.cancelkit.lifecycle.WorkerEnded",
                "org.cancelkit.lifecycle.Shutdown");
        RecordedEvent phase = s.jfr().get(0);
        assertThat(phase.getString("worker")).isEqualTo("db");
        assertThat(phase.getString("phase")).isEqualTo("soft");
        assertThat(phase.getDuration("grace")).isEqualTo(Duration.ofSeconds(5));
        RecordedEvent ended = s.jfr().get(1);
        assertThat(ended.getString("outcome")).isEqualTo("STOPPED_IN_GRACE");
        assertThat(ended.getDuration("stopTime")).isEqualTo(Duration.ofSeconds(2));
        RecordedEvent shutdown = s.jfr().get(2);
        assertThat(shutdown.getString("application")).isEqualTo("events");
        assertThat(shutdown.getString("reason")).isEqualTo("test");
        assertThat(shutdown.getBoolean("graceful")).isTrue();
        assertThat(shutdown.getBoolean("escalated")).isFalse();

        List<LifecycleEvent> hook = s.hook().stream().filter(LifecycleEvent.class::isInstance)
                .map(LifecycleEvent.class::cast).toList();
        assertThat(hook).hasSize(3);
        assertThat(hook.get(0)).isInstanceOfSatisfying(LifecycleEvent.ShutdownPhase.class, p -> {
            assertThat(p.worker()).isEqualTo("db");
            assertThat(p.hard()).isFalse();
            assertThat(p.grace()).isEqualTo(Duration.ofSeconds(5));
        });
        assertThat(hook.get(1)).isInstanceOfSatisfying(LifecycleEvent.WorkerEnded.class,
                w -> assertThat(w.report().outcome()).isEqualTo(WorkerOutcome.STOPPED_IN_GRACE));
        assertThat(hook.get(2)).isInstanceOfSatisfying(LifecycleEvent.ShutdownEnded.class,
                e -> assertThat(e.report().exitCode()).isEqualTo(ShutdownReport.EXIT_CLEAN));
        assertThat(s.hook()).as("the core's events of the same story").anySatisfy(e ->
                assertThat(e).isInstanceOf(CancelEvent.TokenCancelled.class));
    }

    @Test
    @DisplayName("negative control: the JDK's default settings record none of the lifecycle events")
    void defaultSettingsRecordNone(VirtualClock clock) throws Exception {
        Seen s = shutdownInGrace(clock, Configuration.getConfiguration("default"));
        assertThat(s.jfr()).isEmpty();
        assertThat(s.hook()).filteredOn(LifecycleEvent.class::isInstance).hasSize(3);
    }
}
