package org.cancelkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.cancelkit.CancelReason;
import org.cancelkit.CancellationToken;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The negative control of {@link JettyClientDisconnectTest}: the same application on Jetty with the
 * starter's Jetty request failures replaced by {@link RequestFailures#NONE} (the servlet API alone).
 * A client's HTTP/2 reset then reaches an asynchronous request (through {@code AsyncListener.onError})
 * but not a blocking one: what cancels the blocking request there is the Jetty-specific listener.
 */
@OnJetty
@Import(JettyWithoutRequestFailuresTest.ServletApiOnly.class)
class JettyWithoutRequestFailuresTest extends ServerTestBase {
    @TestConfiguration(proxyBeanMethods = false)
    static class ServletApiOnly {
        @Bean
        RequestFailures servletApiOnly() {
            return RequestFailures.NONE;
        }
    }

    @Test
    void h2cBlockingRequest_aStreamResetIsNotSeen() throws Exception {
        assertThat(container()).isEqualTo("jetty");
        CancellationToken t = h2cReset("/blocking-wait?id=nb&ms=20000", "nb");
        assertThat(t.awaitCancellation(JettyClientDisconnectTest.NOTHING_FOR)).isFalse();
    }

    @Test
    void h2cAsyncRequest_aStreamResetIsSeenThroughTheServletApi() throws Exception {
        CancellationToken t = h2cReset("/async-wait?id=na", "na");
        assertThat(t.awaitCancellation(JettyClientDisconnectTest.BOUND)).isTrue();
        assertThat(t.reason()).map(CancelReason::kind).contains(CancelReason.Kind.REQUESTED);
        assertThat(t.reason().orElseThrow().message()).doesNotContain("the container reported it");
    }
}
