package org.cancelkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code tour --only}: every name must exist, and the scenarios run in the order given. */
class TourSelectionTest {
    private static final Tour ABC = new Tour(List.of(named("a"), named("b"), named("c")));

    @Test
    void theScenariosRunInTheOrderGiven() {
        assertThat(ABC.only(List.of("c", "a")).scenarios()).extracting(Scenario::name).containsExactly("c", "a");
        assertThat(ABC.only(List.of("b", "b")).scenarios()).extracting(Scenario::name).containsExactly("b");
    }

    @Test
    void anUnknownNameAmongKnownOnesIsRefusedWithTheList() {
        assertThatThrownBy(() -> ABC.only(List.of("a", "nosuch")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no scenario named nosuch")
                .hasMessageContaining("the scenarios are: a, b, c");
    }

    /** The command exits 2 before running anything; before, it dropped the unknown name and ran the rest. */
    @Test
    void theCommandExitsTwoOnAnUnknownNameAndRunsNothing() {
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
        ByteArrayOutputStream outBuf = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(errBuf, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(outBuf, true, StandardCharsets.UTF_8));
            code = new CommandLine(new Main()).execute("tour", "--only", "timeout,nosuch");
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        assertThat(code).isEqualTo(2);
        assertThat(errBuf.toString(StandardCharsets.UTF_8)).contains("nosuch").contains("timeout");
        assertThat(outBuf.toString(StandardCharsets.UTF_8)).as("nothing ran").doesNotContain("[1/");
    }

    private static Scenario named(String name) {
        return new Scenario() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String title() {
                return "scenario " + name;
            }

            @Override
            public String invariants() {
                return "none";
            }

            @Override
            public void run(Report report) {
                report.check(name + " ran", true);
            }
        };
    }
}
