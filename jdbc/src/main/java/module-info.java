/**
 * cancelkit jdbc: database transactions that roll back when their caller gives up, statements that
 * are cancelled on the server instead of abandoned, and the current deadline as the query timeout.
 *
 * <p>Start with {@link org.cancelkit.jdbc.SqlTransaction} and {@link org.cancelkit.jdbc.Statements}.
 */
module org.cancelkit.jdbc {
    requires transitive org.cancelkit;
    requires transitive java.sql;
    requires static transitive org.jspecify;
    // Flight Recorder events (part of the JDK), committed when a recording enables them.
    requires jdk.jfr;

    exports org.cancelkit.jdbc;
}
