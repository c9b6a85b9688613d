package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The least privileges of the README's Security section are enough: with the tables created by an
 * administrator, a worker role with SELECT, INSERT and UPDATE on the prefixed tables (and SELECT on the
 * schema version) submits, runs, watches, cancels and reopens a job; it cannot delete a job, drop or
 * alter the tables, or change the schema version, and DELETE on the jobs and output tables is all that
 * deleting a job needs. A role with SELECT alone watches but cannot cancel.
 */
class PrivilegesTest {
    private static final int N = 12;
    private final String prefix = Pg.freshPrefix();
    private final String worker = prefix + "worker";
    private final String watcher = prefix + "watcher";

    @BeforeEach
    void setUp() throws Exception {
        JobDatabase.of(Pg.dataSource(), prefix).migrate(); // as the administrator
        Fixtures.createSink(prefix);
        for (String role : new String[] {worker, watcher}) {
            Pg.execute("CREATE ROLE " + role + " LOGIN");
        }
        Pg.execute("GRANT SELECT, INSERT, UPDATE ON " + prefix + "jobs, " + prefix + "partitions, " + prefix
                + "output TO " + worker);
        Pg.execute("GRANT SELECT ON " + prefix + "schema_version TO " + worker);
        Pg.execute("GRANT INSERT ON " + Fixtures.sink(prefix) + " TO " + worker); // the items' own table
        Pg.execute("GRANT SELECT ON " + prefix + "jobs, " + prefix + "partitions, " + prefix + "output, " + prefix
                + "schema_version TO " + watcher);
    }

    @AfterEach
    void drop() throws SQLException {
        Pg.drop(prefix);
        for (String role : new String[] {worker, watcher}) {
            Pg.execute("DROP OWNED BY " + role);
            Pg.execute("DROP ROLE " + role);
        }
    }

    private static JobDatabase as(String role, String prefix) {
        return JobDatabase.of(UrlDataSource.of(Pg.URL.replace("user=postgres", "user=" + role)), prefix);
    }

    private ClusterJob<Long, Tally> job(JobDatabase db, String id) {
        return ClusterJob.create(db, id, Fixtures.items(N), 3, Tally.class, Tally.ZERO,
                Fixtures.processor(prefix, "w", true));
    }

    @Test
    @DisplayName("a worker role with SELECT, INSERT, UPDATE submits, runs, watches, cancels and reopens a job")
    void workerRoleRunsAJob() throws Exception {
        JobDatabase db = as(worker, prefix);
        ClusterJob<Long, Tally> job = job(db, "run");
        assertThat(job.submit()).isTrue();
        assertThat(job.work("w").itemsProcessed()).isEqualTo(N);
        assertThat(Fixtures.distinct(prefix)).isEqualTo(N);
        assertThat(db.status("run").state()).isEqualTo(ClusterStatus.State.COMPLETED);

        assertThat(job(db, "stop").submit()).isTrue();
        assertThat(db.cancel("stop", "test", Duration.ZERO)).isTrue();
        assertThat(db.status("stop").state()).isEqualTo(ClusterStatus.State.CANCELLED);
        assertThat(db.reopen("stop")).isTrue();
    }

    @Test
    @DisplayName("the worker role cannot delete a job, drop or alter the tables, or change the schema version")
    void workerRoleCannotDestroy() throws Exception {
        JobDatabase db = as(worker, prefix);
        assertThat(job(db, "keep").submit()).isTrue();
        assertThatThrownBy(() -> db.delete("keep")).isInstanceOf(SQLException.class)
                .hasMessageContaining("permission denied");
        try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
            for (String sql : new String[] {"DROP TABLE " + prefix + "partitions",
                "ALTER TABLE " + prefix + "jobs ADD COLUMN x int", "TRUNCATE " + prefix + "output",
                "INSERT INTO " + prefix + "schema_version (version, description) VALUES (2, 'x')"}) {
                assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOf(SQLException.class)
                        .hasMessageMatching("(?s).*(permission denied|must be owner).*");
            }
        }
        assertThat(JobDatabase.of(Pg.dataSource(), prefix).status("keep").totalItems()).as("still there")
                .isEqualTo(N);

        // the operator who removes jobs: DELETE on jobs and output; the partitions go by the foreign key
        Pg.execute("GRANT DELETE ON " + prefix + "jobs, " + prefix + "output TO " + worker);
        assertThat(db.delete("keep")).isTrue();
        assertThat(Pg.count("SELECT count(*) FROM " + prefix + "partitions WHERE job_id = 'keep'")).isZero();
    }

    @Test
    @DisplayName("a role with SELECT alone watches a job, and cannot cancel it")
    void watcherRoleOnlyWatches() throws Exception {
        assertThat(job(as(worker, prefix), "watched").submit()).isTrue();
        JobDatabase db = as(watcher, prefix);
        assertThat(db.status("watched").state()).isEqualTo(ClusterStatus.State.NOT_STARTED);
        assertThatThrownBy(() -> db.cancel("watched", "test", Duration.ZERO)).isInstanceOf(SQLException.class)
                .hasMessageContaining("permission denied");
        assertThat(db.status("watched").cancelReason()).isNull();
    }
}
