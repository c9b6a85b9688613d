package org.cancelkit.spring.app;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.cancelkit.jdbc.Statements;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/** Controllers that block in the ways the tests stop: JDBC, a downstream call, a wait, a sleep. */
@RestController
public class TestController {
    private final Probe probe;
    private final ObjectProvider<DataSource> dataSource;
    private final RestClient client;
    private final String downstream;

    public TestController(Probe probe, ObjectProvider<DataSource> dataSource, RestClient.Builder builder,
                          @Value("${test.downstream:http://127.0.0.1:9}") String downstream) {
        this.probe = probe;
        this.dataSource = dataSource;
        this.client = builder.build();
        this.downstream = downstream;
    }

    /** The current token's remaining time, in ms, or -1 when there is none. */
    @GetMapping("/remaining")
    public long remaining() {
        return Cancellation.current().remaining().map(Duration::toMillis).orElse(-1L);
    }

    /** Whether the current token is the never-cancelled one (no binding). */
    @GetMapping("/bound")
    public boolean bound() {
        return !Cancellation.current().equals(CancellationToken.never());
    }

    /** Blocks in PostgreSQL for 30 s, through cancelkit-jdbc. */
    @GetMapping("/db")
    public String db(@RequestParam String id) throws SQLException {
        try (Connection c = dataSource.getObject().getConnection(); Statement s = c.createStatement()) {
            probe.started(id, Cancellation.current());
            String r = Statements.call(s, st -> {
                try (ResultSet rs = st.executeQuery("SELECT pg_sleep(30)")) {
                    rs.next();
                    return "slept";
                }
            });
            probe.ended.put(id, "completed");
            return r;
        }
    }

    /** Warms the connection pool: one quick query. */
    @GetMapping("/db-ping")
    public String dbPing() throws SQLException {
        try (Connection c = dataSource.getObject().getConnection(); Statement s = c.createStatement()) {
            return Statements.call(s, st -> {
                try (ResultSet rs = st.executeQuery("SELECT 1")) {
                    rs.next();
                    return "pong";
                }
            });
        }
    }

    /** Calls a downstream service that answers after 30 s. */
    @GetMapping("/downstream")
    public String downstream(@RequestParam String id) {
        probe.started(id, Cancellation.current());
        String r = client.get().uri(downstream + "/slow").retrieve().body(String.class);
        probe.ended.put(id, "completed");
        return r;
    }

    /** Sleeps (an interruptible blocking call) for {@code ms}. */
    @GetMapping("/sleep")
    public String sleep(@RequestParam String id, @RequestParam long ms) throws InterruptedException {
        probe.started(id, Cancellation.current());
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            probe.ended.put(id, "interrupted");
            throw e; // the request's cancel: unwind
        }
        probe.ended.put(id, "completed");
        return "slept";
    }

    /** Works in steps, stopping at the first step after its token is cancelled (a cooperative handler). */
    @GetMapping("/cooperative")
    public String cooperative(@RequestParam String id) throws InterruptedException {
        probe.started(id, Cancellation.current());
        for (int i = 0; i < 6000; i++) {
            if (Cancellation.isCancelled()) {
                probe.ended.put(id, "stopped early");
                return "stopped early at step " + i;
            }
            Thread.sleep(10);
        }
        probe.ended.put(id, "completed");
        return "completed";
    }

    /** An asynchronous request whose work waits on the request's token (bound by the task decorator). */
    @GetMapping("/async-wait")
    public Callable<String> asyncWait(@RequestParam String id) {
        return () -> {
            probe.started(id, Cancellation.current());
            boolean cancelled = Cancellation.current().awaitCancellation(Duration.ofSeconds(20));
            probe.ended.put(id, cancelled ? "cancelled" : "timed out");
            return "waited";
        };
    }

    /**
     * Streams chunks to the client while a forked sibling waits on its own token: a failed write
     * (the client went away) should stop the sibling too.
     */
    @GetMapping("/stream")
    public void stream(@RequestParam String id, jakarta.servlet.http.HttpServletResponse response) throws Exception {
        probe.started(id, Cancellation.current());
        try (org.cancelkit.TaskGroup group = org.cancelkit.TaskGroup.open()) {
            java.util.concurrent.CountDownLatch siblingRuns = new java.util.concurrent.CountDownLatch(1);
            group.fork("sibling", () -> {
                siblingRuns.countDown();
                boolean cancelled = Cancellation.current().awaitCancellation(Duration.ofSeconds(20));
                probe.ended.put(id + "-sibling", cancelled ? "cancelled" : "timed out");
            });
            // the sibling's body runs before the first write: a cancel before it started would skip
            // the body (CANCELLED_BEFORE_START), and with it the record the test waits for
            siblingRuns.await();
            java.io.OutputStream out = response.getOutputStream();
            byte[] chunk = new byte[8192];
            try {
                for (int i = 0; i < 4000; i++) {
                    out.write(chunk);
                    out.flush();
                    Thread.sleep(5);
                }
            } catch (java.io.IOException e) {
                probe.ended.put(id, "write failed");
                throw e;
            }
            group.join();
        }
    }

    /** Waits on the request's token in the request thread (a controller that neither reads nor writes). */
    @GetMapping("/blocking-wait")
    public String blockingWait(@RequestParam String id, @RequestParam(defaultValue = "20000") long ms)
            throws InterruptedException {
        probe.started(id, Cancellation.current());
        boolean cancelled = Cancellation.current().awaitCancellation(Duration.ofMillis(ms));
        probe.ended.put(id, cancelled ? "cancelled" : "timed out");
        return "waited";
    }
}
