package org.cancelkit.example;

import java.sql.Connection;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Starts the connection pool at start-up. HikariCP starts its pool on the first
 * {@code getConnection()}: left to the first request, the pool's start would run under that
 * request's deadline, and a cancel would interrupt it.
 */
@Component
public class PoolWarmUp implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(PoolWarmUp.class);
    private final DataSource dataSource;

    /**
     * Creates the warm-up.
     *
     * @param dataSource the pool
     */
    public PoolWarmUp(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void run(ApplicationArguments args) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.isValid(5);
        }
        log.info("ready: the connection pool has started");
    }
}
