package org.cancelkit.jdbc;

import java.sql.SQLException;

/**
 * The work of a transaction, for {@link SqlTransaction#call}. It must call
 * {@link SqlTransaction#commit()} for anything to persist.
 *
 * @param <T> the result
 */
@FunctionalInterface
public interface TransactionBody<T> {
    /**
     * Does the work.
     *
     * @param tx the open transaction
     * @return the result
     * @throws SQLException what the driver threw
     */
    T apply(SqlTransaction tx) throws SQLException;
}
