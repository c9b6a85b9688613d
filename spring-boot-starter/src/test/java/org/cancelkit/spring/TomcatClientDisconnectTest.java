package org.cancelkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationToken;
import org.junit.jupiter.api.Test;

/**
 * S3 on Tomcat: what embedded Tomcat 11 reports when the client goes away while a controller neither reads nor
 * writes, and what the starter makes of it (the starter README's "Client disconnects"):
 * <ul>
 *   <li>HTTP/2 (h2c), asynchronous request: the client's RST_STREAM reaches
 *       {@code AsyncListener.onError} at once ("Client reset the stream before the request was fully
 *       read"): the request's token is cancelled while its work still runs;</li>
 *   <li>HTTP/2, blocking request: nothing is reported (the starter's Jetty listener, present on this
 *       class path, leaves Tomcat's requests alone);</li>
 *   <li>HTTP/1.1, blocking or asynchronous: nothing is reported while the handler neither reads nor
 *       writes (Tomcat does not watch the connection). The two {@code limit_} tests pin this: they fail
 *       if Tomcat starts reporting, and the README must then change. A handler that writes gets a
 *       failed write, which the starter turns into a cancel of the token.</li>
 * </ul>
 */
class TomcatClientDisconnectTest extends ServerTestBase {
    /** Long enough for a report to arrive (the h2c one took 10 ms), short enough for the suite. */
    private static final Duration NOTHING_FOR = Duration.ofSeconds(1);

    @Test
    void runsOnTomcat() {
        assertThat(container()).isEqualTo("tomcat");
    }

    @Test
    void h2cAsyncRequest_aStreamResetCancelsTheToken() throws Exception {
        CancellationToken t = h2cReset("/async-wait?id=h2async", "h2async");
        assertThat(t.awaitCancellation(Duration.ofSeconds(10))).isTrue();
        assertThat(t.reason()).map(CancelReason::kind).contains(CancelReason.Kind.REQUESTED);
        assertThat(t.reason().orElseThrow().message()).contains("client went away");
    }

    /**
     * HTTP/1.1, a controller that writes: Tomcat reports the disconnect as a failed write
     * ({@code ClientAbortException}); the starter turns it into a cancel of the request's token with a
     * reason that says so, which reaches all of the request's work (here a forked sibling, long before
     * its own 20 s wait). Without it (checked by disabling it) the token ends only by its close when
     * the exception has unwound the controller, with reason "token closed".
     */
    @Test
    void http11WritingRequest_aFailedWriteCancelsTheTokenAndItsForks() throws Exception {
        CancellationToken t = http11AbortMidStream("/stream?id=w1", "w1");
        assertThat(t.awaitCancellation(Duration.ofSeconds(10))).isTrue();
        assertThat(t.reason().orElseThrow().message()).contains("client went away").contains("write");
        assertThat(awaitEnded("w1-sibling", Duration.ofSeconds(10))).as("its own wait would be 20 s").isEqualTo("cancelled");
        assertThat(awaitEnded("w1", Duration.ofSeconds(10))).as("the controller records its end after the cancel").isEqualTo("write failed");
    }

    @Test
    void limit_h2cBlockingRequest_isNotToldOfAStreamReset() throws Exception {
        CancellationToken t = h2cReset("/blocking-wait?id=h2block&ms=1500", "h2block");
        assertThat(t.awaitCancellation(NOTHING_FOR)).isFalse();
    }

    @Test
    void limit_http11BlockingRequest_isNotToldOfAClosedConnection() throws Exception {
        CancellationToken t = http11Disconnect("/blocking-wait?id=h1block&ms=1500", "h1block");
        assertThat(t.awaitCancellation(NOTHING_FOR)).isFalse();
    }

    @Test
    void limit_http11AsyncRequest_isNotToldOfAClosedConnection() throws Exception {
        CancellationToken t = http11Disconnect("/async-wait?id=h1async", "h1async");
        assertThat(t.awaitCancellation(NOTHING_FOR)).isFalse();
    }
}
