package org.cancelkit.spring;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.spring.app.Probe;
import org.cancelkit.spring.app.TestApp;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The test application on a real embedded Tomcat (HTTP/1.1 and h2c), with the starter, and a slow
 * downstream service on loopback. Subclasses share one application context (Spring's test context
 * cache), so it starts once per test run.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class TomcatTestBase {
    static final HttpServer DOWNSTREAM = slowDownstream();
    /** The deadline header the downstream service received last. */
    static final AtomicReference<String> DOWNSTREAM_HEADER = new AtomicReference<>();
    /** Never released: the downstream answers after 30 s; its waits are virtual threads. */
    private static final CountDownLatch DOWNSTREAM_RELEASE = new CountDownLatch(1);

    @LocalServerPort
    int port;
    @Autowired
    Probe probe;

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
