package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The schema the module owns: created and migrated idempotently (also by several processes at once),
 * versioned, refused when newer than the code; table names from a validated prefix, so two applications
 * share a database and nothing reaches SQL through the prefix.
 */
class SchemaTest {
    private final String prefix = Pg.freshPrefix();
    private final String other = Pg.freshPrefix();

    @AfterEach
    void drop() throws SQLException {
        Pg.drop(prefix);
        Pg.drop(other);
    }

    @Test
    @DisplayName("migrate creates the tables at version 1; a second migrate changes nothing")
    void migrateIsIdempotent() throws Exception {
        JobDatabase db = JobDatabase.of(Pg.dataSource(), prefix);
        assertThat(db.schemaVersion()).isZero();
        assertThat(db.migrate()).isEqualTo(1);
        assertThat(db.migrate()).isEqualTo(1);
        assertThat(db.schemaVersion()).isEqualTo(1);
        assertThat(Pg.count("SELECT count(*) FROM " + prefix + "schema_version")).isEqualTo(1);
        assertThat(Pg.count("SELECT count(*) FROM pg_tables WHERE starts_with(tablename, ?)", prefix)).isEqualTo(4);
    }

    @Test
    @DisplayName("eight concurrent migrations serialise on the advisory lock: version 1 once, no error")
    void concurrentMigrations() throws Exception {
        JobDatabase db = JobDatabase.of(Pg.dataSource(), prefix);
        List<Future<Integer>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit((Callable<Integer>) db::migrate));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get()).isEqualTo(1);
            }
        }
        assertThat(Pg.count("SELECT count(*) FROM " + prefix + "schema_version")).isEqualTo(1);
    }

    @Test
    @DisplayName("a schema newer than the code is refused by migrate and by the workers, saying what to do")
    void newerSchemaRefused() throws Exception {
        JobDatabase db = JobDatabase.of(Pg.dataSource(), prefix);
        db.migrate();
        Pg.update("INSERT INTO " + prefix + "schema_version (version, description) VALUES (2, 'from the future')");
        assertThatThrownBy(db::migrate).isInstanceOf(SQLException.class)
                .hasMessageContaining("schema version 2").hasMessageContaining("upgrade cancelkit");
        ClusterJob<Long, Tally> job = ClusterJob.create(db, "j", Fixtures.items(4), 2, Tally.class, Tally.ZERO,
                Fixtures.processor(prefix, "w", false));
        assertThatThrownBy(() -> job.work("w")).isInstanceOf(SQLException.class).hasMessageContaining("upgrade");
    }

    @Test
    @DisplayName("cancel, reopen and delete refuse tables of a newer schema (and write nothing), and tables never "
            + "migrated, saying what to do")
    void administrationChecksTheSchema() throws Exception {
        JobDatabase fresh = JobDatabase.of(Pg.dataSource(), prefix);
        assertThatThrownBy(() -> fresh.cancel("j", "stop", Duration.ZERO)).isInstanceOf(SQLException.class)
                .hasMessageContaining("migrate()");
        assertThatThrownBy(() -> fresh.reopen("j")).isInstanceOf(SQLException.class).hasMessageContaining("migrate()");
        assertThatThrownBy(() -> fresh.delete("j")).isInstanceOf(SQLException.class).hasMessageContaining("migrate()");

        JobDatabase db = JobDatabase.of(Pg.dataSource(), prefix);
        db.migrate();
        ClusterJob<Long, Tally> job = ClusterJob.create(db, "j", Fixtures.items(4), 2, Tally.class, Tally.ZERO,
                Fixtures.processor(prefix, "w", false));
        job.submit();
        Pg.update("INSERT INTO " + prefix + "schema_version (version, description) VALUES (2, 'from the future')");
        assertThatThrownBy(() -> db.cancel("j", "stop", Duration.ZERO)).isInstanceOf(SQLException.class)
                .hasMessageContaining("upgrade cancelkit");
        assertThatThrownBy(() -> db.reopen("j")).isInstanceOf(SQLException.class).hasMessageContaining("upgrade");
        assertThatThrownBy(() -> db.delete("j")).isInstanceOf(SQLException.class).hasMessageContaining("upgrade");
        assertThat(Pg.count("SELECT count(*) FROM " + prefix + "jobs WHERE job_id = 'j' AND cancel_requested_at IS NULL"))
                .as("the job is neither cancelled nor deleted").isEqualTo(1);

        Pg.update("DELETE FROM " + prefix + "schema_version WHERE version = 2");
        assertThat(db.cancel("j", "stop", Duration.ZERO)).as("control: on the current schema they act").isTrue();
        assertThat(db.reopen("j")).isTrue();
        assertThat(db.delete("j")).isTrue();
    }

    @Test
    @DisplayName("workers refuse tables that were never migrated, and say to migrate")
    void unmigratedRefused() {
        JobDatabase db = JobDatabase.of(Pg.dataSource(), prefix);
        ClusterJob<Long, Tally> job = ClusterJob.create(db, "j", Fixtures.items(4), 2, Tally.class, Tally.ZERO,
                Fixtures.processor(prefix, "w", false));
        assertThatThrownBy(job::submit).isInstanceOf(SQLException.class).hasMessageContaining("migrate()");
    }

    @Test
    @DisplayName("a prefix that is not a plain lower-case identifier is refused before any SQL")
    void prefixValidated() {
        for (String bad : List.of("", "x; DROP TABLE pg_class; --", "Billing_", "1abc", "a b", "a\"b", "ä_",
                "a".repeat(31), "app-1")) {
            assertThatThrownBy(() -> JobDatabase.of(Pg.dataSource(), bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lower-case");
        }
        assertThat(JobDatabase.of(Pg.dataSource(), "billing_").tablePrefix()).isEqualTo("billing_");
    }

    @Test
    @DisplayName("two applications with their own prefixes share a database: the same job id twice, apart")
    void twoPrefixesApart() throws Exception {
        JobDatabase a = JobDatabase.of(Pg.dataSource(), prefix);
        JobDatabase b = JobDatabase.of(Pg.dataSource(), other);
        a.migrate();
        b.migrate();
        Fixtures.createSink(prefix);
        Fixtures.createSink(other);
        ClusterJob<Long, Tally> ja = ClusterJob.create(a, "same", Fixtures.items(10), 2, Tally.class, Tally.ZERO,
                Fixtures.processor(prefix, "w", true));
        ClusterJob<Long, Tally> jb = ClusterJob.create(b, "same", Fixtures.items(30), 3, Tally.class, Tally.ZERO,
                Fixtures.processor(other, "w", true));
        assertThat(ja.submit()).isTrue();
        assertThat(jb.submit()).isTrue();
        ja.work("w");
        assertThat(a.status("same").isComplete()).isTrue();
        assertThat(b.status("same").doneItems()).isZero();
        jb.work("w");
        assertThat(Fixtures.rows(prefix)).isEqualTo(10);
        assertThat(Fixtures.rows(other)).isEqualTo(30);
    }
}
