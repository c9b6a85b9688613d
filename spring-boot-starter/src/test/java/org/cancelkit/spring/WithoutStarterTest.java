package org.cancelkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.cancelkit.spring.app.TestApp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * Negative controls: the same application and requests with cancelkit's auto-configuration excluded.
 * Nothing binds the request, so the deadline header changes nothing: the tests that pass with the
 * starter pass because of it.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.autoconfigure.exclude=org.cancelkit.spring.CancelkitAutoConfiguration,"
                + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration")
class WithoutStarterTest {
    @LocalServerPort
    int port;
    @Autowired
    WebServerApplicationContext context;

    @Test
    void runsOnTomcatAsTheTestsWithTheStarter() {
        assertThat(context.getWebServer().getClass().getSimpleName()).startsWith("Tomcat");
    }

    @Test
    void theControllerRunsUnbound() throws Exception {
        assertThat(Http.get(port, "/bound").body()).isEqualTo("false");
        assertThat(Http.get(port, "/remaining", "Cancelkit-Deadline-Ms", "5000").body()).isEqualTo("-1");
    }

    @Test
    void theDeadlineHeaderStopsNothing() throws Exception {
        Http.Answer a = Http.get(port, "/sleep?id=n1&ms=1500", "Cancelkit-Deadline-Ms", "300");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).isEqualTo("slept");
    }

    @Test
    void thereIsNoEndpoint() throws Exception {
        assertThat(Http.get(port, "/actuator/cancelkit").status()).isEqualTo(404);
    }
}
