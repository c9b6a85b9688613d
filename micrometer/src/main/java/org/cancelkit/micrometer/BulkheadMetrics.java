package org.cancelkit.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import org.cancelkit.Bulkhead;

/**
 * Binds bulkheads' {@link Bulkhead#statistics() statistics} to Micrometer, tagged with the
 * bulkhead's name (give each bulkhead a fixed name with {@link Bulkhead#of(String, int)}).
 *
 * <table class="striped">
 *   <caption>bulkhead meters</caption>
 *   <thead><tr><th>name</th><th>type</th><th>what</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code cancelkit.bulkhead.limit}</td><td>gauge</td><td>permits in all</td></tr>
 *     <tr><td>{@code cancelkit.bulkhead.in.use}</td><td>gauge</td><td>permits held now</td></tr>
 *     <tr><td>{@code cancelkit.bulkhead.waiting}</td><td>gauge</td><td>callers waiting now</td></tr>
 *     <tr><td>{@code cancelkit.bulkhead.acquired}</td><td>function counter</td><td>permits handed out</td></tr>
 *     <tr><td>{@code cancelkit.bulkhead.rejected}</td><td>function counter</td><td>acquisitions that gave
 *         up: none free, timed out, cancelled, interrupted</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>The registry reads a fresh snapshot at each scrape; the meters hold the bulkhead weakly, as
 * Micrometer's gauges do, so keep a reference to it. Thread-safe.
 */
public final class BulkheadMetrics implements MeterBinder {
    private final List<Bulkhead> bulkheads;

    /**
     * Binds these bulkheads.
     *
     * @param bulkheads the bulkheads; their names must be fixed, low-cardinality names
     */
    public BulkheadMetrics(List<Bulkhead> bulkheads) {
        this.bulkheads = List.copyOf(Objects.requireNonNull(bulkheads, "bulkheads"));
        for (Bulkhead b : this.bulkheads) {
            TagValues.name("bulkhead name", b.statistics().name());
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Bulkhead b : bulkheads) {
            String name = b.statistics().name();
            gauge(registry, b, name, "cancelkit.bulkhead.limit", "permits in all", s -> s.statistics().limit());
            gauge(registry, b, name, "cancelkit.bulkhead.in.use", "permits held now", s -> s.statistics().inUse());
            gauge(registry, b, name, "cancelkit.bulkhead.waiting", "callers waiting now", s -> s.statistics().waiting());
            FunctionCounter.builder("cancelkit.bulkhead.acquired", b, s -> s.statistics().acquired())
                    .description("permits handed out").tags("name", name).register(registry);
            FunctionCounter.builder("cancelkit.bulkhead.rejected", b, s -> s.statistics().rejected())
                    .description("acquisitions that gave up").tags("name", name).register(registry);
        }
    }

    private static void gauge(MeterRegistry registry, Bulkhead b, String name, String meter, String description,
                              ToDoubleFunction<Bulkhead> read) {
        Gauge.builder(meter, b, read).description(description).tags("name", name).register(registry);
    }
}
