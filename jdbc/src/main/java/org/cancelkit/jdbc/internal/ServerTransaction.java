package org.cancelkit.jdbc.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * What the driver knows about the server's transaction without a round trip. PostgreSQL reports its
 * transaction status (idle, in a transaction, in a failed transaction) in every ReadyForQuery message,
 * and pgjdbc keeps the last one: {@code org.postgresql.core.BaseConnection#getTransactionState()},
 * reached by reflection since this module depends on no driver. Stateless and thread-safe; the cache
 * is per connection class.
 */
public final class ServerTransaction {
    private static final String PGJDBC_BASE_CONNECTION = "org.postgresql.core.BaseConnection";

    /** pgjdbc's {@code getTransactionState()} for a connection class, or empty when it is not pgjdbc's. */
    private static final ClassValue<Optional<Method>> PGJDBC_STATE = new ClassValue<>() {
        @Override
        protected Optional<Method> computeValue(Class<?> type) {
            Deque<Class<?>> todo = new ArrayDeque<>();
            todo.add(type);
            while (!todo.isEmpty()) {
                Class<?> c = todo.poll();
                if (c.isInterface() && c.getName().equals(PGJDBC_BASE_CONNECTION)) {
                    try {
                        return Optional.of(c.getMethod("getTransactionState"));
                    } catch (NoSuchMethodException e) {
                        return Optional.empty();
                    }
                }
                todo.addAll(java.util.List.of(c.getInterfaces()));
                if (c.getSuperclass() != null) {
                    todo.add(c.getSuperclass());
                }
            }
            return Optional.empty();
        }
    };

    private ServerTransaction() {}

    /**
     * Returns whether pgjdbc says the server aborted the connection's transaction (status
     * {@code FAILED}: a statement in it failed, so COMMIT would be turned into ROLLBACK).
     *
     * @param connection a PostgreSQL connection, possibly wrapped by a pool (unwrapped with
     *     {@link Connection#unwrap})
     * @return the answer, or empty when the driver is not pgjdbc or cannot be reached
     */
    public static Optional<Boolean> pgjdbcFailed(Connection connection) {
        Connection real;
        try {
            real = connection.unwrap(Connection.class);
        } catch (SQLException | RuntimeException e) {
            return Optional.empty();
        }
        if (real == null) {
            return Optional.empty();
        }
        Optional<Method> state = PGJDBC_STATE.get(real.getClass());
        if (state.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of("FAILED".equals(String.valueOf(state.get().invoke(real))));
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
