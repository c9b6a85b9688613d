package org.cancelkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationToken;
import org.junit.jupiter.api.Test;

/**
 * S3 on Jetty: what embedded Jetty 12.1 (EE 11 servlets) reports when the client goes away, and what the starter
 * makes of it (the starter README's "Client disconnects"):
 * <ul>
 *   <li>HTTP/2 (h2c), asynchronous request: the client's RST_STREAM reaches
 *       {@code AsyncListener.onError} at once ({@code EofException: Reset cancel_stream_error});</li>
 *   <li>HTTP/2, blocking request: the servlet API reports nothing, Jetty's own request failure
 *       listener reports the reset, and the starter listens to it on Jetty
 *       ({@code JettyRequestFailures}); {@link JettyWithoutRequestFailuresTest} is the negative
 *       control: without it the same reset is not seen;</li>
 *   <li>HTTP/1.1, blocking or asynchronous: nothing while the handler neither reads nor writes
 *       (Jetty does not watch the connection). The {@code limit_} tests pin this, and that the
 *       deadline is then what stops the request;</li>
 *   <li>HTTP/1.1, a handler that writes: the write fails ({@code EofException}), which the starter
 *       turns into a cancel of the token and of the request's forks.</li>
 * </ul>
 */
@OnJetty
class JettyClientDisconnectTest extends ServerTestBase {
    /** Long enough for a report to arrive (they take milliseconds), short enough for the suite. */
    static final Duration NOTHING_FOR = Duration.ofSeconds(1);
    /** Generous: a report arrives in milliseconds on a quiet machine. */
    static final Duration BOUND = Duration.ofSeconds(10);

    @Test
    void runsOnJetty() {
        assertThat(container()).isEqualTo("jetty");
    }

    @Test
    void h2cAsyncRequest_aStreamResetCancelsTheToken() throws Exception {
        CancellationToken t = h2cReset("/async-wait?id=h2async", "h2async");
        assertThat(t.awaitCancellation(BOUND)).isTrue();
        assertThat(t.reason()).map(CancelReason::kind).contains(CancelReason.Kind.REQUESTED);
        assertThat(t.reason().orElseThrow().message()).contains("client went away")
                .contains("EofException: Reset cancel_stream_error");
    }

    @Test
    void h2cBlockingRequest_aStreamResetCancelsTheTokenThroughJettysFailureListener() throws Exception {
        long start = System.nanoTime();
        CancellationToken t = h2cReset("/blocking-wait?id=h2block&ms=20000", "h2block");
        assertThat(t.awaitCancellation(BOUND)).isTrue();
        System.out.println("measured (jetty): an h2c reset reached a blocking request's token "
                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms after the request was sent; "
                + Load.average());
        assertThat(t.reason()).map(CancelReason::kind).contains(CancelReason.Kind.REQUESTED);
        assertThat(t.reason().orElseThrow().message()).contains("the container reported it")
                .contains("EofException: Reset cancel_stream_error");
        assertThat(awaitEnded("h2block", BOUND)).as("the controller's 20 s wait ended by the cancel").isEqualTo("cancelled");
    }

    /**
     * HTTP/1.1, a controller that writes: Jetty reports the disconnect as a failed write; the starter
     * cancels the request's token, which stops its forked sibling long before its own 20 s wait.
     */
    @Test
    void http11WritingRequest_aFailedWriteCancelsTheTokenAndItsForks() throws Exception {
        CancellationToken t = http11AbortMidStream("/stream?id=w1", "w1");
        assertThat(t.awaitCancellation(BOUND)).isTrue();
        assertThat(t.reason().orElseThrow().message()).contains("a write to it failed").contains("EofException");
        assertThat(awaitEnded("w1-sibling", BOUND)).isEqualTo("cancelled");
        assertThat(awaitEnded("w1", Duration.ofSeconds(10))).as("the controller records its end after the cancel").isEqualTo("write failed");
    }

    /**
     * Nothing is reported for a closed HTTP/1.1 connection while the controller waits; the request's
     * deadline then stops it. The second half is this test's control: the same wait does see a
     * cancel when one comes.
     */
    @Test
    void limit_http11BlockingRequest_isNotToldOfAClosedConnection_theDeadlineStopsIt() throws Exception {
        CancellationToken t = http11Disconnect("/blocking-wait?id=h1block&ms=20000", "h1block",
                "Cancelkit-Deadline-Ms: 3000\r\n");
        assertThat(t.awaitCancellation(NOTHING_FOR)).as("nothing reported").isFalse();
        assertThat(t.awaitCancellation(BOUND)).as("the deadline").isTrue();
        assertThat(t.reason()).map(CancelReason::kind).contains(CancelReason.Kind.DEADLINE);
    }

    @Test
    void limit_http11AsyncRequest_isNotToldOfAClosedConnection_theDeadlineStopsIt() throws Exception {
        CancellationToken t = http11Disconnect("/async-wait?id=h1async", "h1async", "Cancelkit-Deadline-Ms: 3000\r\n");
        assertThat(t.awaitCancellation(NOTHING_FOR)).as("nothing reported").isFalse();
        assertThat(t.awaitCancellation(BOUND)).as("the deadline").isTrue();
        assertThat(t.reason()).map(CancelReason::kind).contains(CancelReason.Kind.DEADLINE);
    }
}
