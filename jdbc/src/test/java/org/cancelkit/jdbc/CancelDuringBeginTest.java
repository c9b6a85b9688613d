package org.cancelkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * D1 when the cancel lands during {@link SqlTransaction#begin}: MariaDB's driver sends
 * {@code setAutoCommit(false)} as a statement of its own, and an interrupt of a virtual thread blocked in
 * that socket read closes the socket (the connection is lost). Begin therefore runs shielded: the cancel
 * lands on the transaction's first statement, the transaction rolls back, and the connection goes back
 * usable, with autocommit on.
 *
 * <p>The driver's round trip is stood in for by a connection whose {@code setAutoCommit(false)} waits
 * (interruptibly, as a socket read of a virtual thread) until the test has cancelled, and closes the real
 * connection if interrupted, as the driver does: ordered steps, no clock.
 */
class CancelDuringBeginTest {

    /** A connection whose {@code setAutoCommit(false)} blocks until {@code release}, like a slow round trip. */
    private static Connection slowBegin(Connection real, CountDownLatch inBegin, CountDownLatch release,
                                        AtomicBoolean interruptedInBegin) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("setAutoCommit") && Boolean.FALSE.equals(args[0])) {
                        inBegin.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            // what a virtual thread's interrupted socket read does to the driver's connection
                            interruptedInBegin.set(true);
                            real.close();
                            Thread.currentThread().interrupt(); // kept: the caller sees it as the driver would leave it
                            throw new SQLException("Socket error: Closed by interrupt", "08000");
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("D1: a cancel during begin lands on the first statement; the connection stays open and usable")
    void cancelDuringBegin(Db db) throws Exception {
        try (Connection real = db.connect()) {
            CountDownLatch inBegin = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean interruptedInBegin = new AtomicBoolean();
            Connection c = slowBegin(real, inBegin, release, interruptedInBegin);
            CancellationSource source = CancellationSource.create();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    source.run(() -> SqlTransaction.call(c, JdbcOptions.defaults(), tx -> tx.update("SELECT 1")));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            inBegin.await();
            source.cancel("the caller gave up during begin");
            release.countDown(); // the round trip ends (at once, if the interrupt did not end it first)
            t.join();
            assertThat(interruptedInBegin).as("the begin's round trip was not interrupted").isFalse();
            assertThat(outcome.get()).isInstanceOf(CancelledException.class);
            assertThat(real.isClosed()).as("the connection survived").isFalse();
            assertThat(real.getAutoCommit()).as("back to autocommit, no open transaction").isTrue();
            assertThat(real.isValid(2)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    @DisplayName("negative control: the same stand-in, interrupted in its round trip, loses the connection")
    void theStandInLosesTheConnectionWhenInterrupted(Db db) throws Exception {
        try (Connection real = db.connect()) {
            CountDownLatch inBegin = new CountDownLatch(1);
            AtomicBoolean interrupted = new AtomicBoolean();
            Connection c = slowBegin(real, inBegin, new CountDownLatch(1), interrupted);
            Thread t = Thread.ofVirtual().start(() -> assertThatThrownBy(() -> c.setAutoCommit(false))
                    .isInstanceOf(SQLException.class));
            inBegin.await();
            t.interrupt();
            t.join();
            assertThat(interrupted).isTrue();
            assertThat(real.isClosed()).isTrue();
        }
    }
}
