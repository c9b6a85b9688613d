package org.cancelkit.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot service with cancelkit: {@code GET /orders/{id}/summary} calls a slow pricing service
 * through {@code RestClient} and runs a slow report query through cancelkit-jdbc, in parallel, under
 * the caller's deadline; a graceful shutdown drains requests in flight.
 *
 * <p>Run it with PostgreSQL on 127.0.0.1:5432 and call
 * {@code curl -H 'Cancelkit-Deadline-Ms: 800' localhost:8080/orders/42/summary}: a 504 after 0.8 s,
 * with the query cancelled on the server and the pricing call abandoned.
 */
@SpringBootApplication
public class ExampleApplication {
    /** Created by Spring. */
    public ExampleApplication() {}

    /**
     * Starts the service.
     *
     * @param args Spring Boot's arguments, e.g. {@code --server.port=8081}
     */
    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }
}
