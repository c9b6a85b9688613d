package org.cancelkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationToken;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * S1 and H4 on Spring MVC and a real embedded servlet container, with real HTTP clients: the caller's
 * deadline header, capped by the server maximum, bounds the request; it stops a controller blocked in
 * a cancellation point, one blocked in PostgreSQL (through cancelkit-jdbc) and one blocked in a
 * RestClient call to a slow downstream service. The same tests run on Tomcat
 * ({@link TomcatRequestDeadlineTest}) and on Jetty ({@link JettyRequestDeadlineTest}).
 *
 * <p>No test asserts a latency: the machine is shared. Each asserts that the deadline stopped the
 * request (the status, the reason's kind, how the controller ended) within a generous bound, and
 * prints the time it measured.
 */
abstract class RequestDeadlineContract extends ServerTestBase {
    /** Client threads: one per request in flight (the common pool may run them one at a time). */
    private static final java.util.concurrent.ExecutorService CLIENTS =
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    /** Generous: the deadlines here are at most 2 s, the blocked calls 30 s. */
    private static final Duration BOUND = Duration.ofSeconds(10);

    @Autowired
    MeterRegistry registry;

    /** The container the subclass names: a negative control for the class path that has both. */
    abstract String expectedContainer();

    @Test
    void runsOnTheContainerItNames() {
        assertThat(container()).isEqualTo(expectedContainer());
    }

    @Test
    void theDeadlineStopsAControllerBlockedInACancellationPoint() throws Exception {
        Http.Answer a = Http.get(port, "/sleep?id=sleep1&ms=30000", "Cancelkit-Deadline-Ms", "1000");
        System.out.println("measured (" + container() + "): a 1000 ms deadline, controller blocked in Thread.sleep: "
                + "answered " + a.status() + " after " + a.took().toMillis() + " ms; " + Load.average());
        assertThat(a.status()).isEqualTo(504);
        assertThat(a.took()).isLessThan(BOUND);
        assertThat(probe.awaitStarted("sleep1").reason()).map(CancelReason::kind).contains(CancelReason.Kind.DEADLINE);
        assertThat(probe.ended.get("sleep1")).as("the controller was interrupted, and ended").isEqualTo("interrupted");
    }

    @Test
    void theControllerSeesTheCallersDeadlineCappedByTheServerMaximum() throws Exception {
        long withHeader = Long.parseLong(Http.get(port, "/remaining", "Cancelkit-Deadline-Ms", "5000").body());
        assertThat(withHeader).isBetween(1L, 5000L);
        long capped = Long.parseLong(Http.get(port, "/remaining", "Cancelkit-Deadline-Ms", "999999").body());
        assertThat(capped).isBetween(5001L, 20_000L);
        long none = Long.parseLong(Http.get(port, "/remaining").body());
        assertThat(none).as("no header: the server maximum").isBetween(5001L, 20_000L);
    }

    @Test
    void badHeadersAreAnsweredWithoutCallingTheController() throws Exception {
        Http.Answer bad = Http.get(port, "/bound", "Cancelkit-Deadline-Ms", "soon");
        assertThat(bad.status()).isEqualTo(400);
        Http.Answer passed = Http.get(port, "/bound", "Cancelkit-Deadline-Ms", "0");
        assertThat(passed.status()).isEqualTo(504);
    }

    @Test
    void theDeadlineStopsAControllerBlockedInPostgres() throws Exception {
        assertThat(Http.get(port, "/db-ping").body()).as("the pool is warm").isEqualTo("pong");
        Http.Answer a = Http.get(port, "/db?id=db1", "Cancelkit-Deadline-Ms", "1000");
        System.out.println("measured (" + container() + "): a 1000 ms deadline, controller blocked in PostgreSQL: "
                + "answered " + a.status() + " after " + a.took().toMillis() + " ms; " + Load.average());
        assertThat(a.status()).isEqualTo(504);
        assertThat(a.took()).isLessThan(BOUND);
        CancellationToken t = probe.awaitStarted("db1");
        assertThat(t.reason()).map(CancelReason::kind).contains(CancelReason.Kind.DEADLINE);
        assertThat(probe.ended).doesNotContainKey("db1");
        // D2, checked from outside: the server is no longer running the query
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
             Statement s = c.createStatement()) {
            long deadlineAt = System.nanoTime() + BOUND.toNanos();
            long running;
            do {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                        + "AND query = 'SELECT pg_sleep(30)'")) {
                    rs.next();
                    running = rs.getLong(1);
                }
            } while (running > 0 && System.nanoTime() < deadlineAt);
            assertThat(running).isZero();
        }
        assertThat(registry.get("cancelkit.cancels").tags("scope", "http.server", "reason", "deadline").counter().count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void theDeadlineStopsAControllerBlockedInADownstreamCallAndTravelsToIt() throws Exception {
        Http.Answer a = Http.get(port, "/downstream?id=down1", "Cancelkit-Deadline-Ms", "2000");
        System.out.println("measured (" + container() + "): a 2000 ms deadline, controller blocked in a RestClient "
                + "call: answered " + a.status() + " after " + a.took().toMillis() + " ms; " + Load.average());
        assertThat(a.status()).isEqualTo(504);
        assertThat(a.took()).isLessThan(BOUND);
        assertThat(probe.ended).doesNotContainKey("down1");
        assertThat(Long.parseLong(DOWNSTREAM_HEADER.get())).as("H4: the remaining deadline went on").isBetween(0L, 2000L);
    }

    /**
     * A controller that returns a value after its deadline passed: Spring writes the response on the
     * request's thread, still bound to the cancelled token. Without the shielded response the
     * level-triggered interrupt (C4) closes Tomcat's NIO channel mid-write and the client gets no
     * bytes ("HTTP/1.1 header parser received no bytes" from the JDK client).
     */
    @Test
    void aControllerThatReturnsAfterItsDeadlineStillDeliversItsResponse() throws Exception {
        Http.Answer a = Http.get(port, "/blocking-wait?id=late1&ms=20000", "Cancelkit-Deadline-Ms", "300");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).isEqualTo("waited");
        assertThat(probe.awaitStarted("late1").reason()).map(CancelReason::kind).contains(CancelReason.Kind.DEADLINE);
    }

    @Test
    void asyncWorkRunsBoundToTheRequest() throws Exception {
        Http.Answer a = Http.get(port, "/async-wait?id=async1", "Cancelkit-Deadline-Ms", "300");
        CancellationToken t = probe.awaitStarted("async1");
        assertThat(t).isNotEqualTo(CancellationToken.never());
        assertThat(t.reason()).map(CancelReason::kind).contains(CancelReason.Kind.DEADLINE);
        assertThat(probe.ended.get("async1")).isEqualTo("cancelled");
        assertThat(a.took()).isLessThan(BOUND);
    }

    @Test
    void theEndpointListsLiveRequestsWithTheirDeadlines() throws Exception {
        CompletableFuture<Http.Answer> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return Http.get(port, "/blocking-wait?id=live1&ms=20000", "Cancelkit-Deadline-Ms", "3000");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, CLIENTS);
        probe.awaitStarted("live1");
        Http.Answer report = Http.get(port, "/actuator/cancelkit");
        assertThat(report.status()).isEqualTo(200);
        assertThat(report.body()).contains("\"path\":\"/blocking-wait\"").contains("remainingMs")
                .contains("\"meters\"");
        // its 3 s deadline ends it, and its cancel is counted
        Http.Answer ended = slow.get(30, TimeUnit.SECONDS);
        System.out.println("live1 ended: " + ended);
        assertThat(ended.status()).isIn(200, 504);
        Http.Answer metrics = Http.get(port, "/actuator/metrics/cancelkit.cancels");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("\"reason\"").contains("deadline");
    }
}
