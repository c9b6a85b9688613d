package org.cancelkit.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.cancelkit.CancelEvents;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code org.cancelkit.http.BreakerStateChanged}: every transition of a breaker that a client was given,
 * once however many clients share it, as a Flight Recorder event (shipped {@code cancelkit.jfc}) and to a
 * hook listener. Negative controls: a breaker no client was given reports nothing; the JDK's default
 * settings record none.
 */
class BreakerEventsTest {
    record Seen(List<String> jfr, List<BreakerStateChanged> hook) {}

    private static Seen transitions(CircuitBreaker breaker, int clients, Configuration settings) throws Exception {
        Path file = Files.createTempFile("http", ".jfr");
        List<BreakerStateChanged> hook = new CopyOnWriteArrayList<>();
        try (HttpClient jdk = HttpClient.newHttpClient(); Recording rec = new Recording(settings);
             var _ = CancelEvents.register(e -> {
                 if (e instanceof BreakerStateChanged b) {
                     hook.add(b);
                 }
             })) {
            rec.start();
            for (int i = 0; i < clients; i++) {
                DeadlineClient.of(jdk, ClientOptions.defaults().withTimeout(Duration.ofSeconds(1)).withCircuitBreaker(breaker));
            }
            breaker.transitionToOpenState();
            breaker.transitionToHalfOpenState();
            breaker.transitionToClosedState();
            rec.stop();
            rec.dump(file);
            List<String> ours = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("org.cancelkit.http.BreakerStateChanged"))
                    .sorted((a, b) -> a.getStartTime().compareTo(b.getStartTime()))
                    .map((RecordedEvent e) -> e.getString("breaker") + ":" + e.getString("from") + "->" + e.getString("to"))
                    .toList();
            return new Seen(ours, List.copyOf(hook));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Configuration shipped() throws Exception {
        return Configuration.create(new StringReader(CancelEvents.jfrSettings()));
    }

    @Test
    @DisplayName("each transition of a breaker two clients share is reported once, recorded and to the hook")
    void transitionsOfASharedBreaker() throws Exception {
        Seen s = transitions(CircuitBreaker.ofDefaults("users"), 2, shipped());
        assertThat(s.jfr()).containsExactly("users:CLOSED->OPEN", "users:OPEN->HALF_OPEN", "users:HALF_OPEN->CLOSED");
        assertThat(s.hook()).containsExactly(new BreakerStateChanged("users", "CLOSED", "OPEN"),
                new BreakerStateChanged("users", "OPEN", "HALF_OPEN"),
                new BreakerStateChanged("users", "HALF_OPEN", "CLOSED"));
    }

    @Test
    @DisplayName("negative control: a breaker no client was given reports nothing")
    void aBreakerNoClientUsesIsNotWatched() throws Exception {
        Seen s = transitions(CircuitBreaker.ofDefaults("alone"), 0, shipped());
        assertThat(s.jfr()).isEmpty();
        assertThat(s.hook()).isEmpty();
    }

    @Test
    @DisplayName("negative control: the JDK's default settings record no breaker event; the hook still sees them")
    void defaultSettingsRecordNone() throws Exception {
        Seen s = transitions(CircuitBreaker.ofDefaults("orders"), 1, Configuration.getConfiguration("default"));
        assertThat(s.jfr()).isEmpty();
        assertThat(s.hook()).hasSize(3);
    }
}
