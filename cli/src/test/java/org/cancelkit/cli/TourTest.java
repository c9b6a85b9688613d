package org.cancelkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the tour in-process, so that {@code ./mvnw verify} fails when a scenario's check fails. The
 * tour is a live demo on real time: its scenarios check their own invariants; this test only asks
 * whether any check failed.
 */
class TourTest {

    @Test
    void everyScenarioOfTheTourPassesItsChecks() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int failed = Tour.full().run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertThat(failed).as(out).isZero();
        assertThat(out).doesNotContain("      FAIL ").contains(" 0 failed");
        if (postgresAnswers()) { // CI starts it (.ci/run): there the database scenarios must run on it
            assertThat(out).as("the database scenario ran on the server").doesNotContain("SKIP no PostgreSQL")
                    .contains("database: the PostgreSQL server answering at")
                    .contains("PASS D2: the row lock is free")
                    .contains("PASS J4: worker B took over the killed worker's partition");
        } else if (System.getProperty("os.name").contains("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertThat(out).as("with no server, the database scenario ran on the embedded one")
                    .contains("database: embedded PostgreSQL").contains("PASS D2: the row lock is free")
                    .contains("PASS J4: worker B took over the killed worker's partition").doesNotContain("SKIP");
        }
    }

    private static boolean postgresAnswers() {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(DatabaseScenarios.PG_URL)) {
            return c.isValid(2);
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    /** A skipped scenario is reported with its reason and counts as neither passed nor failed. */
    @Test
    void aSkippedScenarioIsReportedNotFailed() {
        Scenario skipping = new Scenario() {
            @Override
            public String name() {
                return "skipping";
            }

            @Override
            public String title() {
                return "a scenario whose database is not there";
            }

            @Override
            public String invariants() {
                return "none";
            }

            @Override
            public void run(Report report) {
                report.skip("no database here");
            }
        };
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int failed = new Tour(List.of(skipping)).run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertThat(failed).isZero();
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("SKIP no database here").contains("1 scenario(s) skipped");
    }

    /** Negative control: a scenario whose check fails makes the tour report a failure. */
    @Test
    void aFailingCheckFailsTheTour() {
        Scenario broken = new Scenario() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public String title() {
                return "a scenario whose invariant does not hold";
            }

            @Override
            public String invariants() {
                return "none";
            }

            @Override
            public void run(Report report) {
                report.check("one equals two", 1 == 2);
            }
        };
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int failed = new Tour(List.of(broken)).run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertThat(failed).isEqualTo(1);
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("FAIL one equals two").contains("0 passed, 1 failed");
    }

    /** Negative control: a scenario that throws counts as failed, and a leaked interrupt is caught. */
    @Test
    void aThrowingScenarioOrALeakedInterruptFailsTheTour() {
        Scenario leaks = new Scenario() {
            @Override
            public String name() {
                return "leaks";
            }

            @Override
            public String title() {
                return "a scenario that leaves an interrupt behind and then throws";
            }

            @Override
            public String invariants() {
                return "C4";
            }

            @Override
            public void run(Report report) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("boom");
            }
        };
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int failed = new Tour(List.of(leaks)).run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertThat(failed).isEqualTo(2);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
}
