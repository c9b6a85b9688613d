/**
 * cancelkit jdbc: database transactions that roll back when their caller gives up, statements that
 * are cancelled on the server instead of abandoned, and the current deadline as the query timeout.
 *
 * <p>Start with {@link org.cancelkit.jdbc.SqlTransaction} and {@link org.cancelkit.jdbc.Statements}.
 */
module org.cancelkit.jdbc {
    requires org.cancelkit;
    requires transitive java.sql;
    requires static transitive org.jspecify;

    exports org.cancelkit.jdbc;
}
