package org.cancelkit.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.cancelkit.ForkContext;
import org.cancelkit.TaskGroup;
import org.cancelkit.context.otel.OtelContextCarrier;
import org.cancelkit.context.slf4j.MdcCarrier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Context that follows a fork, through the core's {@link ForkContext} hook and this module's carriers:
 * a trace id set before a fork is in every fork's MDC and span, and gone from the running thread after.
 */
class ForkContextTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    /** What a fork saw. */
    record Seen(String task, String mdcTrace, String spanTrace, CancellationToken token) {}

    @AfterEach
    void clean() {
        MDC.clear();
    }


    private static Scope enterSpan() {
        SpanContext sc = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
        return Context.current().with(Span.wrap(sc)).makeCurrent();
    }

    private static Seen look(String task) {
        return new Seen(task, String.valueOf(MDC.get("traceId")),
                Span.current().getSpanContext().getTraceId(), Cancellation.current());
    }

    private static List<Seen> forkFour() throws InterruptedException {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        try (TaskGroup group = TaskGroup.open()) {
            for (int i = 0; i < 4; i++) {
                String name = "t" + i;
                group.fork(name, () -> seen.add(look(name)));   // no wrapper: the core's fork carries it
            }
            group.join();
        }
        return seen;
    }

    @Test
    void traceIdSetBeforeAForkIsInEveryForksMdcAndSpan() throws Exception {
        try (var _ = ForkContext.install(MdcCarrier.all());
             var _ = ForkContext.install(OtelContextCarrier.create());
             Scope _ = enterSpan()) {
            MDC.put("traceId", TRACE);
            List<Seen> seen = forkFour();
            assertThat(seen).hasSize(4).allSatisfy(s -> {
                assertThat(s.mdcTrace()).isEqualTo(TRACE);
                assertThat(s.spanTrace()).isEqualTo(TRACE);
                assertThat(s.token()).as("the fork still runs bound to its task token")
                        .isNotEqualTo(CancellationToken.never());
            });
            assertThat(MDC.get("traceId")).as("the forking thread keeps its own").isEqualTo(TRACE);
        }
    }

    @Test
    void negativeControl_withNoCarrierInstalledAForkSeesNothing() throws Exception {
        try (Scope _ = enterSpan()) {
            MDC.put("traceId", TRACE);
            assertThat(forkFour()).hasSize(4).allSatisfy(s -> {
                assertThat(s.mdcTrace()).isEqualTo("null");
                assertThat(s.spanTrace()).isEqualTo(SpanContext.getInvalid().getTraceId());
            });
        }
    }

    @Test
    void theContextIsGoneFromAPooledThreadAfterTheWork() throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try (var _ = ForkContext.install(MdcCarrier.all());
             var _ = ForkContext.install(OtelContextCarrier.create())) {
            one.submit(() -> MDC.put("worker", "own")).get(); // the pooled thread's own MDC
            Runnable wrapped;
            try (Scope _ = enterSpan()) {
                MDC.put("traceId", TRACE);
                wrapped = ContextPropagation.wrapTask(() -> {
                    Seen s = look("inside");
                    assertThat(s.mdcTrace()).isEqualTo(TRACE);
                    assertThat(s.spanTrace()).isEqualTo(TRACE);
                    assertThat(MDC.get("worker")).as("the whole MDC is replaced while it runs").isNull();
                });
            }
            one.submit(wrapped).get();
            Seen after = one.submit(() -> look("after")).get();
            assertThat(after.mdcTrace()).isEqualTo("null");
            assertThat(after.spanTrace()).isEqualTo(SpanContext.getInvalid().getTraceId());
            assertThat(one.submit(() -> MDC.get("worker")).get()).as("its own MDC is back").isEqualTo("own");
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    void theContextIsRestoredWhenTheWorkFails() {
        try (var _ = ForkContext.install(MdcCarrier.all())) {
            MDC.put("traceId", TRACE);
            var failing = ContextPropagation.wrap(() -> {
                throw new IllegalStateException("boom");
            });
            MDC.setContextMap(Map.of("traceId", "other"));
            assertThatThrownBy(failing::call).hasMessage("boom");
            assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of("traceId", "other"));
        }
    }

    @Test
    void aKeysCarrierCarriesItsKeysOverTheRunningThreadsOwn() throws Exception {
        try (var _ = ForkContext.install(MdcCarrier.keys("traceId"))) {
            MDC.put("traceId", TRACE);
            MDC.put("secret", "not carried");
            ForkContext.Snapshot snapshot = ForkContext.capture();
            MDC.setContextMap(Map.of("own", "kept"));
            Map<String, String> inside = snapshot.call(MDC::getCopyOfContextMap);
            assertThat(inside).isEqualTo(Map.of("traceId", TRACE, "own", "kept"));
            assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of("own", "kept"));
        }
    }

    @Test
    void badInputIsAClearError() {
        assertThatThrownBy(MdcCarrier::keys).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MdcCarrier.all()");
    }

    @Test
    void aRemovedCarrierIsNoLongerCaptured() throws Exception {
        MDC.put("traceId", TRACE);
        var mdc = ForkContext.install(MdcCarrier.all());
        ForkContext.Snapshot with = ForkContext.capture();
        mdc.close();
        ForkContext.Snapshot without = ForkContext.capture();
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            assertThat(one.submit(() -> with.call(() -> MDC.get("traceId"))).get()).isEqualTo(TRACE);
            assertThat(one.submit(() -> without.call(() -> MDC.get("traceId"))).get()).isNull();
        } finally {
            one.shutdownNow();
        }
    }
}
