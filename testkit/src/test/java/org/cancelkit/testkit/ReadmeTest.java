package org.cancelkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The README cannot rot: each region marked {@code tag::NAME[]} ... {@code end::NAME[]} in a test
 * source appears in testkit/README.md line for line (indentation aside), so the README shows code
 * that compiles and passes.
 */
class ReadmeTest {
    private static final Path README = Path.of("README.md");
    private static final Path TESTS = Path.of("src/test/java/org/cancelkit/testkit");

    @ParameterizedTest
    @CsvSource({
        "WriteUserDataExampleTest.java, unsafe",
        "WriteUserDataExampleTest.java, safe",
        "WriteUserDataExampleTest.java, explorer",
        "AutoAdvanceTest.java, autoAdvance",
        "StepsTest.java, steps",
    })
    void theReadmeShowsTheTestedCode(String file, String tag) throws IOException {
        List<String> region = region(Files.readAllLines(TESTS.resolve(file)), tag);
        assertThat(region).as("region %s in %s", tag, file).hasSizeGreaterThan(3);
        List<String> readme = stripped(Files.readAllLines(README));
        assertThat(Collections.indexOfSubList(readme, region))
                .as("README.md shows region '%s' of %s, line for line:%n%s", tag, file, String.join("\n", region))
                .isNotNegative();
    }

    @ParameterizedTest
    @CsvSource({"unsafe", "safe"})
    void aRegionThatChangedIsCaught(String tag) throws IOException {
        // Negative control: one changed line and the region is no longer found.
        List<String> region = new ArrayList<>(region(Files.readAllLines(TESTS.resolve("WriteUserDataExampleTest.java")), tag));
        region.set(region.size() / 2, region.get(region.size() / 2) + " // changed");
        assertThat(Collections.indexOfSubList(stripped(Files.readAllLines(README)), region)).isNegative();
    }

    private static List<String> region(List<String> lines, String tag) {
        int from = -1;
        int to = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.equals("// tag::" + tag + "[]")) {
                from = i + 1;
            } else if (l.equals("// end::" + tag + "[]")) {
                to = i;
            }
        }
        assertThat(from).as("tag::%s[]", tag).isPositive();
        assertThat(to).as("end::%s[]", tag).isGreaterThan(from);
        return stripped(lines.subList(from, to));
    }

    private static List<String> stripped(List<String> lines) {
        return lines.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
