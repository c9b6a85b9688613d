package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The URL is checked when the data source is made, with messages that never show it (a password). */
class UrlDataSourceTest {

    @Test
    void aNullUrlIsRefusedByName() {
        assertThatThrownBy(() -> UrlDataSource.of(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("jdbcUrl");
    }

    @Test
    void aBlankUrlIsRefused() {
        for (String blank : new String[] {"", "   ", "\t\n"}) {
            assertThatThrownBy(() -> UrlDataSource.of(blank)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the JDBC URL is blank");
        }
    }

    @Test
    void aUrlThatIsNotJdbcIsRefused_withoutShowingIt() {
        for (String url : new String[] {"postgresql://h/db?password=s3cret", " jdbc:postgresql://h/db?password=s3cret"}) {
            assertThatThrownBy(() -> UrlDataSource.of(url)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must start with \"jdbc:\"").hasMessageNotContaining("s3cret");
        }
    }

    @Test
    void aJdbcUrlIsAccepted_andEachConnectionGoesToTheDriverManager() {
        // Negative control for the checks above: a well-formed URL passes them; no driver takes this one,
        // so the first connection fails, and only then.
        DataSource ds = UrlDataSource.of("jdbc:cancelkit-no-such-driver://h/db");
        assertThatThrownBy(ds::getConnection).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> ds.getConnection("u", "p")).isInstanceOf(SQLException.class);
    }

    @Test
    void itWrapsNothing_butIsItself() throws SQLException {
        UrlDataSource ds = UrlDataSource.of("jdbc:postgresql://127.0.0.1:5432/test");
        assertThat(ds.isWrapperFor(DataSource.class)).isTrue();
        assertThat(ds.unwrap(DataSource.class)).isSameAs(ds);
        assertThat(ds.isWrapperFor(Connection.class)).isFalse();
        assertThatThrownBy(() -> ds.unwrap(Connection.class)).isInstanceOf(SQLException.class);
        assertThat(ds.getLoginTimeout()).isZero();
    }

    @Test
    void itConnectsToTheTestDatabase() throws SQLException {
        try (Connection c = UrlDataSource.of(Pg.URL).getConnection()) {
            assertThat(c.isValid(5)).isTrue();
            assertThat(c.getAutoCommit()).isTrue();
        }
    }
}
