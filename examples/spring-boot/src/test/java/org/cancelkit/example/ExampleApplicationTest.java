package org.cancelkit.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the example service in a child JVM, as it runs in production, and talks to it over real
 * sockets: a request's deadline stops the controller's RestClient call and its PostgreSQL query; SIGTERM
 * drains the requests in flight within the configured grace, and the meters logged at the end show
 * how each ended. Timing bounds are generous: the machine may be shared.
 */
class ExampleApplicationTest {
    /** Client threads: one per request in flight (the common pool may run them one at a time). */
    private static final java.util.concurrent.ExecutorService CLIENTS =
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private static final Duration STARTUP = Duration.ofSeconds(180);
    private static final Duration BOUND = Duration.ofSeconds(15);

    private Process app;
    /** The child's output, in a file: read as often as needed, nothing lost when it exits. */
    private Path log;
    private List<String> lines = List.of();

    @AfterEach
    void stop() throws InterruptedException, IOException {
        if (app != null && app.isAlive()) {
            app.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (log != null) {
            java.nio.file.Files.deleteIfExists(log); // a failure's assertion message has the output
        }
    }

    private int start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                ExampleApplication.class.getName(), "--server.port=" + port));
        log = java.nio.file.Files.createTempFile("cancelkit-example-", ".log");
        app = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitLine("ready: the connection pool has started", STARTUP);
        return port;
    }

    private String awaitLine(String part, Duration within) throws InterruptedException, IOException {
        long until = System.nanoTime() + within.toNanos();
        while (true) {
            boolean ended = !app.isAlive();
            lines = java.nio.file.Files.readAllLines(log, StandardCharsets.UTF_8);
            for (String l : lines) {
                if (l.contains(part)) {
                    return l;
                }
            }
            if (ended || System.nanoTime() > until) {
                throw new AssertionError("no line with '" + part + "' within " + within + "; the output:\n"
                        + String.join("\n", lines));
            }
            Thread.sleep(50); // polling the child's output: a child JVM test, not a unit test
        }
    }

    /** One request over a raw socket: status line and body, exactly as they arrived. */
    private static String get(int port, String path, String... headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            s.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static CompletableFuture<String> getAsync(int port, String path, String... headers) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return get(port, path, headers);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, CLIENTS);
    }

    private static long runningReportQueries() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                     + "AND query = 'SELECT count(*) FROM pg_sleep(30)'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aDeadlineStopsTheRestClientCallAndTheQueryThenSigtermDrainsRequestsInFlight() throws Exception {
        int port = start();

        // 1. The caller's deadline (2 s) flows through the controller into both parts (30 s each).
        long t0 = System.nanoTime();
        String answer = get(port, "/orders/42/summary", "Cancelkit-Deadline-Ms: 2000");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.println("measured: a 2000 ms deadline through the example's controller (RestClient call and "
                + "PostgreSQL query): answered after " + took.toMillis() + " ms; load average "
                + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        assertThat(answer).startsWith("HTTP/1.1 504");
        assertThat(took).isLessThan(BOUND);
        long until = System.nanoTime() + BOUND.toNanos();
        while (runningReportQueries() > 0 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(runningReportQueries()).as("the report query was cancelled on the server (D2)").isZero();
        awaitLine("asking for the price", BOUND); // the fork logged with the request's MDC
        assertThat(lines).anyMatch(l -> l.contains("order=42") && l.contains("asking for the price"));

        // 2. SIGTERM with requests in flight: two cooperative reports end within the 2 s grace, a
        //    request blocked in PostgreSQL is cancelled hard after it (Statement.cancel on the server).
        List<CompletableFuture<String>> reports = List.of(getAsync(port, "/orders/1/report"),
                getAsync(port, "/orders/2/report"));
        CompletableFuture<String> blocked = getAsync(port, "/orders/3/history");
        until = System.nanoTime() + BOUND.toNanos();
        while (runningReportQueries() == 0 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        long t1 = System.nanoTime();
        app.destroy(); // SIGTERM
        assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the service exits").isTrue();
        Duration shutdown = Duration.ofNanos(System.nanoTime() - t1);
        System.out.println("measured: SIGTERM to exit with 3 requests in flight and a 2 s grace: " + shutdown.toMillis()
                + " ms");
        assertThat(shutdown).as("within the grace and generous slack").isLessThan(BOUND);
        for (CompletableFuture<String> r : reports) {
            assertThat(r.get(10, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200").contains("report stopped at step");
        }
        assertThat(blocked.get(10, TimeUnit.SECONDS)).startsWith("HTTP/1.1 503");
        String drain = awaitLine("cancelkit: request drain", BOUND);
        assertThat(drain).contains("outcome=FORCED").contains("abandoned=0");
        awaitLine("meter cancelkit.shutdown ", BOUND);
        assertThat(lines).anyMatch(l -> l.contains("meter cancelkit.shutdown.stopped component=http.server outcome=in_grace"))
                .anyMatch(l -> l.contains("meter cancelkit.shutdown component=http.server outcome=forced count=1.0"))
                // two requests stopped by a deadline: the summary, and the pricing request its RestClient
                // call made, which received the remaining deadline in the header and stopped on its own
                .anyMatch(l -> l.contains("meter cancelkit.cancels reason=deadline scope=http.server count=2.0"));
    }
}
