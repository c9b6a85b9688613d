package org.cancelkit.jobs.postgres;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} over a JDBC URL, with no pool: every {@link #getConnection()} opens a new
 * connection through {@link DriverManager}. For command-line tools, tests and worker processes that
 * hold a connection or two; a service that opens connections all the time wants a pool instead.
 *
 * {@snippet :
 * DataSource ds = UrlDataSource.of("jdbc:postgresql://db.example:5432/app?user=jobs");
 * JobDatabase db = JobDatabase.of(ds, "billing_");
 * }
 *
 * <p>The URL is checked when the data source is made (not null, not blank, starting with
 * {@code jdbc:}); whether a driver accepts it, and whether the database answers, is known at the first
 * connection. The URL may carry a password, so no message of this class shows it.
 *
 * <p>It keeps no log writer and no login timeout of its own: {@link #getLogWriter()} writes to standard
 * error, {@link #setLogWriter} and {@link #setLoginTimeout} are ignored (give the driver its timeouts
 * in the URL, as {@code connectTimeout} for PostgreSQL).
 *
 * <p>Immutable and thread-safe.
 */
public final class UrlDataSource implements DataSource {
    private final String url;

    private UrlDataSource(String url) {
        this.url = url;
    }

    /**
     * A data source that opens connections to {@code jdbcUrl}.
     *
     * @param jdbcUrl the JDBC URL, such as {@code jdbc:postgresql://127.0.0.1:5432/app?user=jobs}
     * @return the data source
     * @throws NullPointerException when {@code jdbcUrl} is null
     * @throws IllegalArgumentException when {@code jdbcUrl} is blank or does not start with {@code jdbc:}
     */
    public static UrlDataSource of(String jdbcUrl) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (jdbcUrl.isBlank()) {
            throw new IllegalArgumentException("the JDBC URL is blank");
        }
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("not a JDBC URL: it must start with \"jdbc:\"");
        }
        return new UrlDataSource(jdbcUrl);
    }

    /**
     * Opens a new connection to the URL.
     *
     * @return the connection, in autocommit mode as the driver opens it
     * @throws SQLException when no driver accepts the URL, or the database refuses or does not answer
     */
    @Override
    public Connection getConnection() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /**
     * Opens a new connection to the URL as another user.
     *
     * @param user the user
     * @param password the user's password
     * @return the connection
     * @throws SQLException when no driver accepts the URL, or the database refuses or does not answer
     */
    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /**
     * Returns a writer on standard error.
     *
     * @return the writer
     */
    @Override
    public PrintWriter getLogWriter() {
        return new PrintWriter(System.err);
    }

    /**
     * Ignored: this data source keeps no log writer.
     *
     * @param out ignored
     */
    @Override
    public void setLogWriter(PrintWriter out) {}

    /**
     * Ignored: give the driver its timeouts in the URL.
     *
     * @param seconds ignored
     */
    @Override
    public void setLoginTimeout(int seconds) {}

    /**
     * Returns 0: the driver's own login timeout applies.
     *
     * @return 0
     */
    @Override
    public int getLoginTimeout() {
        return 0;
    }

    /**
     * Not supported: this data source logs nothing.
     *
     * @return never
     * @throws SQLFeatureNotSupportedException always
     */
    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("UrlDataSource has no logger");
    }

    /**
     * Returns this data source as {@code type}, which it must implement: it wraps nothing.
     *
     * @param type a type this class implements
     * @param <T> the type
     * @return this data source
     * @throws SQLException when this class does not implement {@code type}
     */
    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("UrlDataSource is not a " + type.getName() + " and wraps nothing");
    }

    /**
     * Tells whether this data source implements {@code type}: it wraps nothing.
     *
     * @param type the type
     * @return true when this class implements {@code type}
     */
    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
