package org.cancelkit.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.TaskGroup;
import org.cancelkit.http.ClientOptions;
import org.cancelkit.http.DeadlineClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * TESTING.md, "Deadline covers the body", on real time (a stress test: {@code ./mvnw -pl http -am
 * verify -Pstress}): a server sends headers and then a body that never ends; 200 calls with a 500 ms
 * deadline, 10 at a time. Pass: each returns within 600 ms (p99) with DeadlineExceededException, and
 * the server's handler stops within 1 s of the client's return: at its next write (the connection is
 * closed) or, usually first, because the propagated deadline (H4) cancelled its token.
 */
@Tag("stress")
class DeadlineCoversTheBodyStressTest {

    @Test
    @DisplayName("H1/H2 stress: 200 calls into a never-ending body, 500 ms deadline: p99 return <= 600 ms, the server's handler stops within 1 s")
    void twoHundredCalls() throws Exception {
        try (LocalServer server = LocalServer.start(); HttpClient http11 = Fixtures.http11Client()) {
            DeadlineClient client = DeadlineClient.of(http11, ClientOptions.defaults().withTimeout(Duration.ofMillis(500)));
            List<Long> returnMs = Collections.synchronizedList(new ArrayList<>());
            List<Long> serverLagMs = Collections.synchronizedList(new ArrayList<>());
            List<String> unnoticed = Collections.synchronizedList(new ArrayList<>());
            for (int batch = 0; batch < 20; batch++) {
                try (TaskGroup group = TaskGroup.open()) {
                    for (int i = 0; i < 10; i++) {
                        String id = "drip-" + batch + "-" + i;
                        group.fork(id, () -> {
                            long start = System.nanoTime();
                            try {
                                client.send(Fixtures.get(server.uri("/drip?id=" + id)), HttpResponse.BodyHandlers.ofString());
                                throw new AssertionError(id + ": a never-ending body returned");
                            } catch (DeadlineExceededException expected) {
                                long returned = System.nanoTime();
                                returnMs.add(TimeUnit.NANOSECONDS.toMillis(returned - start));
                                try {
                                    long failedAt = server.seen(id).dripFailedAt.get(2, TimeUnit.SECONDS);
                                    serverLagMs.add(TimeUnit.NANOSECONDS.toMillis(Math.max(0, failedAt - returned)));
                                } catch (java.util.concurrent.TimeoutException e) {
                                    unnoticed.add(id);
                                }
                            }
                            return null;
                        });
                    }
                    group.join();
                }
            }
            Collections.sort(returnMs);
            Collections.sort(serverLagMs);
            long p99 = returnMs.get((int) Math.ceil(returnMs.size() * 0.99) - 1);
            System.out.printf("deadline covers the body: 200 calls, return p50 %d ms, p99 %d ms, max %d ms; "
                            + "the server's handler stopped (write failed or its propagated deadline) within 2 s for %d (max lag %s ms), not for %d %s%n",
                    returnMs.get(99), p99, returnMs.get(199), serverLagMs.size(),
                    serverLagMs.isEmpty() ? "-" : serverLagMs.get(serverLagMs.size() - 1), unnoticed.size(), unnoticed);
            // The client's promise (H1/H2): every call returned, none before its deadline, p99 within 600 ms.
            assertThat(returnMs).hasSize(200);
            assertThat(returnMs.get(0)).as("none returned before its deadline").isGreaterThanOrEqualTo(500);
            assertThat(p99).isLessThanOrEqualTo(600);
            assertThat(unnoticed).as("handlers still running 2 s after their client gave up").isEmpty();
            assertThat(serverLagMs.get(serverLagMs.size() - 1)).isLessThanOrEqualTo(1000);
        }
    }
}
