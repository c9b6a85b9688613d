package org.cancelkit.context.otel;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.cancelkit.ContextCarrier;

/**
 * Carries OpenTelemetry's current {@link Context} (the active span, baggage) into forked work: spans
 * started in a fork are children of the span current where it was forked.
 *
 * {@snippet :
 * ForkContext.install(OtelContextCarrier.create());
 * Span span = tracer.spanBuilder("page").startSpan();
 * try (Scope ignored = span.makeCurrent(); TaskGroup group = TaskGroup.open()) {
 *     group.fork("profile", () -> client.profile(id));  // its spans are children of "page"
 *     group.join();
 * } finally {
 *     span.end();
 * }
 * }
 *
 * <p>The captured context is made current with {@link Context#makeCurrent()} on the running thread,
 * and its {@link Scope} is closed after the work, on that thread, which restores the thread's own
 * context. Immutable and thread-safe.
 */
public final class OtelContextCarrier implements ContextCarrier {
    private static final OtelContextCarrier INSTANCE = new OtelContextCarrier();

    private OtelContextCarrier() {}

    /**
     * Returns the carrier.
     *
     * @return the carrier (stateless, shared)
     */
    public static OtelContextCarrier create() {
        return INSTANCE;
    }

    @Override
    public Captured capture() {
        Context captured = Context.current();
        return () -> {
            Scope scope = captured.makeCurrent();
            return scope::close;
        };
    }

    @Override
    public String toString() {
        return "OtelContextCarrier";
    }
}
