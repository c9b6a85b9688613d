package org.cancelkit.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.cancelkit.Bulkhead;
import org.cancelkit.CancellationToken;
import org.cancelkit.Registration;
import org.cancelkit.micrometer.BulkheadMetrics;
import org.cancelkit.micrometer.CancelkitMeters;
import org.jspecify.annotations.Nullable;

/**
 * Binds cancelkit's meters when Spring Boot binds its {@link MeterBinder}s: each request's cancel is
 * counted in {@code cancelkit.cancels{scope=http.server}}, the request drain of a shutdown in
 * {@code cancelkit.shutdown{component=http.server}}, and every {@link Bulkhead} bean is bound.
 */
final class MicrometerRequestListener implements RequestListener, MeterBinder {
    static final String SCOPE = "http.server";

    private final RequestTokens tokens;
    private final List<Bulkhead> bulkheads;
    /** Set when bound (Spring's start-up thread); read by request threads. Null until then. */
    private volatile @Nullable CancelkitMeters meters;

    MicrometerRequestListener(RequestTokens tokens, List<Bulkhead> bulkheads) {
        this.tokens = tokens;
        this.bulkheads = List.copyOf(bulkheads);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        CancelkitMeters m = CancelkitMeters.of(registry);
        // Declared now, at zero, so that dashboards and a registry's last publish have them all.
        m.declareCancels(SCOPE);
        m.declareShutdown(SCOPE, List.of("clean", "forced"), List.of("in_grace", "after_hard_cancel", "abandoned"));
        meters = m;
        new BulkheadMetrics(bulkheads).bindTo(registry);
        tokens.listener(this);
    }

    @Override
    public Runnable started(CancellationToken request) {
        CancelkitMeters m = meters;
        if (m == null) {
            return () -> {};
        }
        Registration r = m.watch(request, SCOPE);
        return r::close;
    }

    @Override
    public void shutdown(Duration took, String outcome, Map<String, Long> stopped) {
        CancelkitMeters m = meters;
        if (m != null) {
            m.shutdown(SCOPE, took, outcome, stopped);
        }
    }
}

