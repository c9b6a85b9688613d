package org.cancelkit.spring;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;

/** Reads cancelkit's meters for the endpoint; a bean only where Micrometer is present. */
final class EndpointMeters implements Supplier<List<Map<String, Object>>> {
    private final ObjectProvider<MeterRegistry> registry;

    EndpointMeters(ObjectProvider<MeterRegistry> registry) {
        this.registry = registry;
    }

    @Override
    public List<Map<String, Object>> get() {
        MeterRegistry r = registry.getIfAvailable();
        List<Map<String, Object>> meters = new ArrayList<>();
        if (r == null) {
            return meters;
        }
        for (Meter meter : r.getMeters()) {
            if (!meter.getId().getName().startsWith("cancelkit.")) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", meter.getId().getName());
            Map<String, String> tags = new LinkedHashMap<>();
            meter.getId().getTags().forEach(t -> tags.put(t.getKey(), t.getValue()));
            m.put("tags", tags);
            for (Measurement x : meter.measure()) {
                m.put(x.getStatistic().getTagValueRepresentation(), x.getValue());
            }
            meters.add(m);
        }
        return meters;
    }
}
