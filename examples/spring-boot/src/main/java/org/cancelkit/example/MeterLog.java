package org.cancelkit.example;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Measurement;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Logs cancelkit's meters when the application ends: after Spring's graceful shutdown and cancelkit's
 * request drain, so the shutdown's own meters are there.
 */
@Component
public class MeterLog {
    private static final Logger log = LoggerFactory.getLogger(MeterLog.class);
    private final MeterRegistry registry;

    /**
     * Creates the logger.
     *
     * @param registry the application's meters
     */
    public MeterLog(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Logs every {@code cancelkit.*} meter, one line each. */
    @PreDestroy
    public void logMeters() {
        for (Meter m : registry.getMeters()) {
            if (!m.getId().getName().startsWith("cancelkit.")) {
                continue;
            }
            StringBuilder line = new StringBuilder("meter ").append(m.getId().getName());
            m.getId().getTags().forEach(t -> line.append(' ').append(t.getKey()).append('=').append(t.getValue()));
            for (Measurement x : m.measure()) {
                line.append(' ').append(x.getStatistic().getTagValueRepresentation()).append('=').append(x.getValue());
            }
            log.info(line.toString());
        }
    }
}
