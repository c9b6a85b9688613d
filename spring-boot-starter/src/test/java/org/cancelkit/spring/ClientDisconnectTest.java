package org.cancelkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationToken;
import org.junit.jupiter.api.Test;

/**
 * What embedded Tomcat 11 reports when the client goes away while a controller neither reads nor
 * writes, and what the starter makes of it (the starter README's "Client disconnects"):
 * <ul>
 *   <li>HTTP/2 (h2c), asynchronous request: the client's RST_STREAM reaches
 *       {@code AsyncListener.onError} at once ("Client reset the stream before the request was fully
 *       read"): the request's token is cancelled while its work still runs;</li>
 *   <li>HTTP/2, blocking request: nothing is reported;</li>
 *   <li>HTTP/1.1, blocking or asynchronous: nothing is reported while the handler neither reads nor
 *       writes (Tomcat does not watch the connection). The two {@code limit_} tests pin this: they fail
 *       if Tomcat starts reporting, and the README must then change. A handler that writes gets a
 *       failed write, which the starter turns into a cancel of the token.</li>
 * </ul>
 */
class ClientDisconnectTest extends TomcatTestBase {
    /** Long enough for a report to arrive (the h2c one took 10 ms), short enough for the suite. */
    private static final Duration NOTHING_FOR = Duration.ofSeconds(1);

    private CancellationToken http11Disconnect(String path, String id) throws Exception {
        CancellationToken t;
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            t = probe.awaitStarted(id);
        } // the client closes the connection while the controller waits
        return t;
    }

    private CancellationToken h2cReset(String path, String id) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> upgrade = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/bound"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(upgrade.version()).as("the connection was upgraded to h2c").isEqualTo(HttpClient.Version.HTTP_2);
        CompletableFuture<HttpResponse<String>> call = client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        CancellationToken t = probe.awaitStarted(id);
        call.cancel(true); // the JDK client resets the stream (RST_STREAM)
        return t;
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
        CancellationToken t;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET /stream?id=w1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            t = probe.awaitStarted("w1");
            assertThat(s.getInputStream().readNBytes(1024)).as("the stream has begun").hasSize(1024);
        } // the client goes away mid-stream
        assertThat(t.awaitCancellation(Duration.ofSeconds(10))).isTrue();
        assertThat(t.reason().orElseThrow().message()).contains("client went away").contains("write");
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!probe.ended.containsKey("w1-sibling") && System.nanoTime() < until) {
            Thread.sleep(10); // the sibling records how it ended; its own wait would be 20 s
        }
        assertThat(probe.ended.get("w1-sibling")).isEqualTo("cancelled");
        assertThat(probe.ended.get("w1")).isEqualTo("write failed");
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
