package org.cancelkit.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** The job the tests run: items 0..n-1, one line of output per item, a running tally as the state. */
final class Fixtures {
    private Fixtures() {}

    /** The state: how many items and their sum. A public record, so Jackson reads it without tricks. */
    public record Tally(long count, long sum) {
        static final Tally ZERO = new Tally(0, 0);

        Tally add(long item) {
            return new Tally(count + 1, sum + item);
        }
    }

    static List<Integer> items(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    /** One item's line: its index, its value and a value derived from both, so a torn line shows. */
    static String line(long index, int item) {
        return "item " + index + " value " + item + " check " + Long.toHexString(mix(index * 31 + item)) + "\n";
    }

    static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }

    static ItemProcessor<Integer, Tally> writeLine() {
        return (index, item, tally, out) -> {
            out.print(line(index, item));
            return tally.add(item);
        };
    }

    static String reference(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(line(i, i));
        }
        return sb.toString();
    }

    static Job<Integer, Tally> job(Path dir, int n, ItemProcessor<Integer, Tally> processor) {
        return Job.create("test-job", dir, items(n), Tally.class, Tally.ZERO, processor);
    }

    /** J1 checked from outside: the output is every item's line, once each, in order. */
    static void assertExactlyOnce(Path output, int n, String as) throws IOException {
        String text = Files.readString(output, StandardCharsets.UTF_8);
        Map<String, Integer> seen = new HashMap<>();
        try (Stream<String> lines = text.lines()) {
            lines.forEach(l -> seen.merge(l, 1, Integer::sum));
        }
        seen.values().removeIf(c -> c == 1);
        assertThat(seen).as(as + ": lines written more than once").isEmpty();
        assertThat(text).as(as + ": output is every item exactly once, in order").isEqualTo(reference(n));
    }

    static void clear(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
    }
}
