package org.cancelkit.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Maps the current row of a result set, for {@link SqlTransaction#query}.
 *
 * @param <T> one row's value
 */
@FunctionalInterface
public interface RowMapper<T> {
    /**
     * Maps the current row.
     *
     * @param row the result set, positioned on a row
     * @return the row's value
     * @throws SQLException what the driver threw
     */
    T map(ResultSet row) throws SQLException;
}
