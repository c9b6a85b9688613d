package org.cancelkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On a machine where no PostgreSQL answers (a user's laptop), the tour's database scenario runs on an
 * embedded PostgreSQL instead of being skipped, and says so. Forced here with
 * {@code -Dcancelkit.tour.db=embedded}, since CI runs a real server ({@code .ci/run}), which TourTest uses.
 */
class EmbeddedDatabaseTest {

    @AfterEach
    void auto() {
        System.clearProperty("cancelkit.tour.db");
    }

    @Test
    void theDatabaseScenarioRunsOnTheEmbeddedServerAndSaysSo() {
        System.setProperty("cancelkit.tour.db", "embedded");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int failed = new Tour(DatabaseScenarios.all()).run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertThat(failed).as(out).isZero();
        assertThat(out).contains("database: embedded PostgreSQL ")
                .contains("PASS D2: the row lock is free")
                .doesNotContain("SKIP");
    }

    /**
     * The cluster scenario too: with no server answering at its address (a closed port), it runs on the
     * embedded PostgreSQL, its killed child worker included, instead of being skipped.
     */
    @Test
    void theClusterScenarioRunsOnTheEmbeddedServerWhenNoServerAnswers() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int failed = new Tour(List.of(new ClusterScenarios.Takeover(
                "jdbc:postgresql://127.0.0.1:1/none?user=postgres&connectTimeout=1")))
                .run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertThat(failed).as(out).isZero();
        assertThat(out).contains("database: embedded PostgreSQL ").contains("started because no PostgreSQL answers at")
                .contains("PASS J4: worker B took over the killed worker's partition")
                .contains("PASS J1: every item's row exactly once")
                .doesNotContain("SKIP");
    }

    /** Negative control: with the embedded server ruled out and a server address where none answers, it is skipped, with the reason. */
    @Test
    void withNoServerAndNoEmbeddedOneTheScenarioSaysWhyItIsSkipped() {
        System.setProperty("cancelkit.tour.db", "server");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int failed = new Tour(List.of(new DatabaseScenarios.TransactionRolledBack(
                "jdbc:postgresql://127.0.0.1:1/none?user=postgres&connectTimeout=1")))
                .run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(failed).isZero();
        assertThat(out).contains("SKIP no PostgreSQL answers at jdbc:postgresql://127.0.0.1:1/none")
                .contains("1 scenario(s) skipped");
    }
}
