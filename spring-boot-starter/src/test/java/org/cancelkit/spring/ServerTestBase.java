package org.cancelkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.CancellationToken;
import org.cancelkit.spring.app.Probe;
import org.cancelkit.spring.app.TestApp;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The test application on a real embedded servlet container (HTTP/1.1 and h2c), with the starter, and a
 * slow downstream service on loopback: Tomcat (the test configuration switches Jetty's auto-configuration
 * off: both are on the class path), or Jetty for
 * a class annotated {@link OnJetty}. The classes on one container share one application context
 * (Spring's test context cache), so each container starts once per test run.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class ServerTestBase {
    static final HttpServer DOWNSTREAM = slowDownstream();
    /** The deadline header the downstream service received last. */
    static final AtomicReference<String> DOWNSTREAM_HEADER = new AtomicReference<>();
    /** Never released: the downstream answers after 30 s; its waits are virtual threads. */
    private static final CountDownLatch DOWNSTREAM_RELEASE = new CountDownLatch(1);

    @LocalServerPort
    int port;
    @Autowired
    Probe probe;
    @Autowired
    WebServerApplicationContext context;

    /** The container this class runs on: {@code "tomcat"} or {@code "jetty"}. */
    String container() {
        String server = context.getWebServer().getClass().getSimpleName();
        return server.startsWith("Jetty") ? "jetty" : server.startsWith("Tomcat") ? "tomcat" : server;
    }

    /**
     * Sends a request over HTTP/1.1 on a raw socket, waits until its controller has started, and closes
     * the connection.
     *
     * @return the request's token
     */
    CancellationToken http11Disconnect(String path, String id) throws Exception {
        return http11Disconnect(path, id, "");
    }

    /** As {@link #http11Disconnect(String, String)}, with {@code headers} (lines ending in CRLF). */
    CancellationToken http11Disconnect(String path, String id, String headers) throws Exception {
        CancellationToken t;
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            t = probe.awaitStarted(id);
        } // the client closes the connection while the controller waits
        return t;
    }

    /**
     * Sends a request over h2c (the connection upgraded by a first request), waits until its controller
     * has started, and resets the stream (the JDK client sends RST_STREAM when its call is cancelled).
     *
     * @return the request's token
     */
    CancellationToken h2cReset(String path, String id) throws Exception {
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

    /**
     * Reads 1 KiB of a streaming request's response over HTTP/1.1 and closes the connection mid-stream.
     *
     * @return the request's token
     */
    CancellationToken http11AbortMidStream(String path, String id) throws Exception {
        CancellationToken t;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            t = probe.awaitStarted(id);
            assertThat(s.getInputStream().readNBytes(1024)).as("the stream has begun").hasSize(1024);
        } // the client goes away mid-stream
        return t;
    }

    /** Waits (at most {@code within}) until the probe has recorded how {@code id} ended. */
    String awaitEnded(String id, Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        while (!probe.ended.containsKey(id) && System.nanoTime() < until) {
            Thread.sleep(10); // polled: the controller records its end and returns
        }
        return probe.ended.get(id);
    }

    /** Answers {@code /slow} after 30 s (or when the tests end). */
    private static HttpServer slowDownstream() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            s.createContext("/slow", exchange -> {
                DOWNSTREAM_HEADER.set(exchange.getRequestHeaders().getFirst("Cancelkit-Deadline-Ms"));
                try {
                    DOWNSTREAM_RELEASE.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the server is stopping: answer at once
                }
                byte[] body = "late".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            s.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void downstream(DynamicPropertyRegistry r) {
        r.add("test.downstream", () -> "http://127.0.0.1:" + DOWNSTREAM.getAddress().getPort());
    }
}
