package org.cancelkit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.ForkContext;
import org.cancelkit.context.slf4j.MdcCarrier;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.mock.http.client.MockClientHttpRequest;
import org.springframework.mock.http.client.MockClientHttpResponse;

/** The starter's parts on their own, without a server: the task decorator and the RestClient interceptor. */
class StarterPartsTest {
    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    private Runnable decorateInside(CancellationSource caller, CancelkitTaskDecorator decorator,
                                    AtomicReference<CancellationToken> seen, AtomicReference<String> mdc) {
        return caller.call(() -> decorator.decorate(() -> {
            seen.set(Cancellation.current());
            mdc.set(MDC.get("traceId"));
        }));
    }

    @Test
    void anExecutorTaskRunsBoundToItsSubmitterAndWithItsMdc() throws Exception {
        AtomicReference<CancellationToken> seen = new AtomicReference<>();
        AtomicReference<String> mdc = new AtomicReference<>();
        try (var _ = ForkContext.install(MdcCarrier.all()); CancellationSource caller = CancellationSource.create()) {
            MDC.put("traceId", "t-1");
            Runnable task = decorateInside(caller, new CancelkitTaskDecorator(true), seen, mdc);
            pool.submit(task).get();
            assertThat(seen.get()).isEqualTo(caller.token());
            assertThat(mdc.get()).isEqualTo("t-1");
            assertThat(pool.submit(() -> MDC.get("traceId")).get()).as("gone from the pooled thread after").isNull();
        } finally {
            MDC.clear();
            pool.shutdownNow();
        }
    }

    @Test
    void negativeControl_notBoundWhenBindToCallerIsOff() throws Exception {
        AtomicReference<CancellationToken> seen = new AtomicReference<>();
        AtomicReference<String> mdc = new AtomicReference<>();
        try (CancellationSource caller = CancellationSource.create()) {
            pool.submit(decorateInside(caller, new CancelkitTaskDecorator(false), seen, mdc)).get();
            assertThat(seen.get()).isEqualTo(CancellationToken.never());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theInterceptorSendsTheRemainingDeadlineAndNothingOnACancelledToken() throws Exception {
        DeadlineInterceptor interceptor = new DeadlineInterceptor("Cancelkit-Deadline-Ms");
        AtomicReference<String> sent = new AtomicReference<>();
        ClientHttpRequestExecution execution = (request, body) -> {
            sent.set(request.getHeaders().getFirst("Cancelkit-Deadline-Ms"));
            return new MockClientHttpResponse(new byte[0], 200);
        };
        try (CancellationSource call = CancellationSource.create().child(Duration.ofSeconds(5))) {
            call.run(() -> interceptor.intercept(new MockClientHttpRequest(HttpMethod.GET, URI.create("http://x/")),
                    new byte[0], execution));
        }
        assertThat(Long.parseLong(sent.get())).isBetween(1L, 5000L);

        sent.set(null);
        interceptor.intercept(new MockClientHttpRequest(HttpMethod.GET, URI.create("http://x/")), new byte[0], execution);
        assertThat(sent.get()).as("no deadline, no header").isNull();

        sent.set("untouched");
        try (CancellationSource cancelled = CancellationSource.create()) {
            cancelled.cancel("gone");
            assertThatThrownBy(() -> cancelled.run(() -> interceptor.intercept(
                    new MockClientHttpRequest(HttpMethod.GET, URI.create("http://x/")), new byte[0], execution)))
                    .isInstanceOf(CancelledException.class);
        }
        assertThat(sent.get()).as("not sent").isEqualTo("untouched");
    }

    @Test
    void theHeaderValueIsReadAndWrittenAsWholeMillisecondsLeft() {
        assertThat(DeadlineHeaderValue.parse("H", " 250 ")).contains(Duration.ofMillis(250));
        assertThat(DeadlineHeaderValue.parse("H", null)).isEmpty();
        assertThatThrownBy(() -> DeadlineHeaderValue.parse("H", "-1")).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> DeadlineHeaderValue.parse("H", "soon")).hasMessageContaining("whole number");
        assertThat(DeadlineHeaderValue.format(Duration.ofNanos(1_999_999))).isEqualTo("1");
        assertThat(DeadlineHeaderValue.format(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Long.toString(Long.MAX_VALUE));
    }
}
