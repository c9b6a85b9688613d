package org.cancelkit.example;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.cancelkit.Cancellation;
import org.cancelkit.Task;
import org.cancelkit.TaskGroup;
import org.cancelkit.jdbc.Statements;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/** The service's endpoints. Nothing here mentions a deadline: the request's token carries it. */
@RestController
public class OrdersController {
    private static final Logger log = LoggerFactory.getLogger(OrdersController.class);

    private final DataSource dataSource;
    private final RestClient pricing;

    /**
     * Creates the controller.
     *
     * @param dataSource the PostgreSQL pool
     * @param builder Spring's RestClient builder: cancelkit's interceptor passes the deadline on
     * @param pricingUrl where the pricing service is
     */
    public OrdersController(DataSource dataSource, RestClient.Builder builder,
                            @Value("${example.pricing-url}") String pricingUrl) {
        this.dataSource = dataSource;
        this.pricing = builder.baseUrl(pricingUrl).build();
    }

    /**
     * The price (a RestClient call) and the order history (a report query), in parallel.
     *
     * @param id the order
     * @return a summary line
     * @throws Exception when a part failed; the request's deadline answers 504
     */
    @GetMapping("/orders/{id}/summary")
    public String summary(@PathVariable long id) throws Exception {
        MDC.put("order", Long.toString(id));
        try (TaskGroup group = TaskGroup.open()) {   // the tasks are children of the request's token
            // each fork runs with this thread's MDC (the starter installs the MDC carrier in the core)
            Task<String> price = group.fork("price", () -> {
                log.info("asking for the price");       // logged with order=<id>
                return pricing.get().uri("/pricing/{id}", id).retrieve().body(String.class);
            });
            Task<Long> history = group.fork("history", () -> reportQuery(id));
            group.join();
            return "order " + id + ": price " + price.get() + ", " + history.get() + " past orders";
        } finally {
            MDC.remove("order");
        }
    }

    /**
     * The order history alone: a query that ignores the soft cancel of a shutdown (a statement is
     * cancelled on the server only when the cancel turns hard, C8, C9).
     *
     * @param id the order
     * @return the count
     * @throws SQLException when the query failed
     */
    @GetMapping("/orders/{id}/history")
    public String history(@PathVariable long id) throws SQLException {
        return "order " + id + ": " + reportQuery(id) + " past orders";
    }

    /** A slow report query: PostgreSQL sleeps 30 s. A cancel stops it on the server (D2). */
    private long reportQuery(long id) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            return Statements.call(s, st -> {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_sleep(30)")) {
                    rs.next();
                    return rs.getLong(1) + id % 7;
                }
            });
        }
    }

    /**
     * The slow pricing service (in this application to keep the example self-contained): it answers
     * after 30 s, or stops at the deadline its caller sent.
     *
     * @param id the order
     * @return a price
     * @throws InterruptedException when the request's token was cancelled
     */
    @GetMapping("/pricing/{id}")
    public String price(@PathVariable long id) throws InterruptedException {
        Cancellation.sleep(Duration.ofSeconds(30));
        return Long.toString(100 + id);
    }

    /**
     * A long report that stops cooperatively when the request is cancelled, softly or hard: it checks
     * between steps, so a shutdown's grace is enough for it to end cleanly.
     *
     * @param id the order
     * @return how far it got
     * @throws InterruptedException when interrupted by someone other than cancelkit
     */
    @GetMapping("/orders/{id}/report")
    public String report(@PathVariable long id) throws InterruptedException {
        int step = 0;
        for (; step < 600; step++) {
            if (Cancellation.isCancelled()) {
                return "order " + id + ": report stopped at step " + step;
            }
            Thread.sleep(50);
        }
        return "order " + id + ": report complete";
    }
}
