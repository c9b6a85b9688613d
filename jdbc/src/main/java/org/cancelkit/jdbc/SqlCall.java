package org.cancelkit.jdbc;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * What to do with a statement, for {@link Statements#call}: typically {@code s -> s.executeQuery(sql)}
 * or {@code PreparedStatement::executeUpdate}.
 *
 * @param <S> the statement type
 * @param <T> the result
 */
@FunctionalInterface
public interface SqlCall<S extends Statement, T> {
    /**
     * Runs the statement.
     *
     * @param statement the statement, with its query timeout already set from the deadline
     * @return the result
     * @throws SQLException what the driver threw
     */
    T call(S statement) throws SQLException;
}
