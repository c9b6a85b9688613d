package org.cancelkit.spring.app;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * cancelkit's meters as they were when the application ended (after the request drain, before the
 * registry is closed): each as {@code name{tag=value,...}} and its first measurement (a count).
 */
@Component
public class MeterSnapshot {
    public final Map<String, Double> atShutdown = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    public MeterSnapshot(MeterRegistry registry) {
        this.registry = registry;
    }

    @PreDestroy
    void snapshot() {
        for (Meter m : registry.getMeters()) {
            if (m.getId().getName().startsWith("cancelkit.")) {
                Map<String, String> tags = new TreeMap<>();
                m.getId().getTags().forEach(t -> tags.put(t.getKey(), t.getValue()));
                atShutdown.put(m.getId().getName() + tags, m.measure().iterator().next().getValue());
            }
        }
    }
}
