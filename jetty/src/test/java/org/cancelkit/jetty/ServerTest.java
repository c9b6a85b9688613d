package org.cancelkit.jetty;

import java.net.http.HttpClient;
import org.cancelkit.testkit.CancelkitExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the tests against the real server share: cancelkit's test extension (virtual time, leak
 * checks), one {@link LocalServer} per test class, and a fresh JDK client per test.
 */
abstract class ServerTest {
    @RegisterExtension
    final CancelkitExtension kit = Fixtures.extension();

    static LocalServer server;
    /** Per test: a fresh HTTP/2 connection, so no test depends on what an earlier one did to the pooled one. */
    HttpClient jdk;

    @BeforeAll
    static void start() throws Exception {
        server = LocalServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void connect() throws Exception {
        jdk = Fixtures.jdkClient(server);
    }

    @AfterEach
    void disconnect() {
        jdk.close();
    }
}
