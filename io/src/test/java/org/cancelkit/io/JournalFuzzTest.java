package org.cancelkit.io;

import org.cancelkit.testkit.Fuzz;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.cancelkit.io.internal.TempNames;
import org.cancelkit.io.internal.TxRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing the transaction record, the data that crosses a trust boundary in io (issue 13): random and
 * mutated records, most of them sealed again as anyone can. Pass: the decoder returns a record that
 * survives its own round trip, or throws a {@link FileSystemException} with a bounded message, and
 * allocates a bounded amount; recovery of a directory of forged records, links and planted files
 * changes nothing outside the directory, nothing inside but cancelkit's own files and the targets the
 * records name, and a second recovery changes nothing.
 *
 * <p>Plain JUnit with seeded generators ({@link Fuzz}): Jazzer 0.24.0 was tried and does not
 * instrument Java 25 class files (its ASM reads up to major version 68), so it would fuzz blind.
 */
class JournalFuzzTest {
    private static final Path WHERE = Path.of("/fuzz/.cancelkit-tx-0123456789abcdef.committed");

    @TempDir
    Path root;

    @Test
    void decoder() {
        decoder(Fuzz.SHORT);
    }

    @Test
    @Tag("stress")
    void decoder_stress() {
        decoder(Fuzz.LONG);
    }

    @Test
    void recovery() {
        recovery(Fuzz.SHORT);
    }

    @Test
    @Tag("stress")
    void recovery_stress() {
        recovery(Fuzz.LONG);
    }

    private static void decoder(Duration budget) {
        Map<String, Integer> outcomes = new TreeMap<>();
        long[] maxAllocated = {0};
        long n = Fuzz.run("journal decoder", budget, 1_000, (rnd, i) -> {
            byte[] input = JournalInputs.any(rnd);
            long before = Fuzz.allocatedBytes();
            TxRecord r;
            try {
                r = TxRecord.decode(input, WHERE);
            } catch (FileSystemException e) {
                assertThat(e.getReason()).as(Fuzz.show(input)).contains("not a valid cancelkit transaction record");
                assertThat(e.getMessage().length()).as("a bounded message").isLessThan(1_000);
                outcomes.merge("refused", 1, Integer::sum);
                return;
            } finally {
                long used = Fuzz.allocatedBytes() - before;
                maxAllocated[0] = Math.max(maxAllocated[0], used);
                if (before >= 0) {
                    assertThat(used).as("allocated for %s", Fuzz.show(input)).isLessThan(64L * input.length + (4 << 20));
                }
            }
            assertThat(TxRecord.decode(r.encode(), WHERE)).as(Fuzz.show(input)).isEqualTo(r);
            outcomes.merge(r.entries().isEmpty() ? "decoded, empty" : "decoded", 1, Integer::sum);
        });
        System.out.println("[fuzz, journal decoder] seed " + Fuzz.START + ": " + n + " inputs " + outcomes
                + ", at most " + maxAllocated[0] + " bytes allocated by one decode");
        assertThat(outcomes.get("refused")).as("negative control: some inputs are refused").isPositive();
        assertThat(outcomes.get("decoded")).as("negative control: some inputs decode").isPositive();
    }

    private void recovery(Duration budget) {
        Map<String, Integer> outcomes = new TreeMap<>();
        long n = Fuzz.run("journal recovery", budget, 20, (rnd, i) -> {
            Path base = Files.createDirectory(root.resolve("i" + i));
            Path dir = Files.createDirectory(base.resolve("work"));
            Set<String> named = scenario(rnd, base, dir, i % 4 == 0); // every fourth begins with an honest record
            Sentinels outside = Sentinels.of(base, dir);
            Map<String, String> inside = Sentinels.snapshot(dir);
            RecoveryReport report;
            try {
                report = AtomicFiles.recover(dir);
            } catch (IOException e) {
                assertThat(e.getMessage()).isNotBlank();
                outcomes.merge("failed: " + e.getClass().getSimpleName(), 1, Integer::sum);
                outside.assertUntouched();
                return;
            }
            outside.assertUntouched();
            Map<String, String> after = Sentinels.snapshot(dir);
            Set<String> changed = new HashSet<>(inside.keySet());
            changed.addAll(after.keySet());
            changed.removeIf(k -> String.valueOf(inside.get(k)).equals(String.valueOf(after.get(k))));
            for (String name : changed) {
                assertThat(TempNames.isReserved(name) || named.contains(name))
                        .as("%s changed, though neither cancelkit's nor a target of a record", name).isTrue();
            }
            RecoveryReport again = AtomicFiles.recover(dir);
            assertThat(again.changedNothing()).as("a second recovery: %s", again).isTrue();
            assertThat(again.refused()).hasSameSizeAs(report.refused());
            outcomes.merge(report.rolledForward() > 0 ? "rolled forward" : report.refused().isEmpty() ? "nothing"
                    : "refused", 1, Integer::sum);
            deleteTree(base);
        });
        System.out.println("[fuzz, journal recovery] seed " + Fuzz.START + ": " + n + " directories " + outcomes);
        assertThat(outcomes.get("refused")).as("negative control: forged records are refused").isPositive();
        assertThat(outcomes.get("rolled forward")).as("negative control: honest ones roll forward").isPositive();
    }

    /**
     * Lays out {@code base}: {@code outside/} with a victim, {@code secret.key}, and {@code dir} with
     * plain files, a linked subdirectory {@code sub}, a link {@code link}, and one to three records with
     * their temporary files. Returns the plain target names the records give (what recovery may change).
     */
    private static Set<String> scenario(Random rnd, Path base, Path dir, boolean honestFirst) throws IOException {
        boolean honest = honestFirst;
        Path outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("victim"), "victim");
        Files.writeString(base.resolve("secret.key"), "secret");
        Files.writeString(dir.resolve("important.db"), "important");
        Files.writeString(dir.resolve("t"), "old t");
        Files.createSymbolicLink(dir.resolve("sub"), outside);
        Files.createSymbolicLink(dir.resolve("link"), outside.resolve("victim"));
        Set<String> named = new HashSet<>();
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            String id = JournalInputs.id(rnd);
            byte[] content = JournalInputs.randomBytes(rnd, rnd.nextInt(64));
            TxRecord r = honest ? new TxRecord(id, List.of(new TxRecord.Entry("t", TempNames.txTemp("t", id),
                    content.length, TxRecord.sha256(content)))) : JournalInputs.record(rnd, id, content);
            honest = false;
            List<TxRecord.Entry> entries = r.entries().stream().map(e -> new TxRecord.Entry(
                    outsideIfAbsolute(e.target(), outside), outsideIfAbsolute(e.temp(), outside), e.length(),
                    e.sha256())).toList();
            for (TxRecord.Entry e : entries) {
                named.add(e.target());
                boolean plain = !e.temp().isEmpty() && e.temp().indexOf('\0') < 0 && e.temp().indexOf('/') < 0
                        && !e.temp().equals(".") && !e.temp().equals("..");
                if (plain && !Files.exists(dir.resolve(e.temp()), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && rnd.nextInt(4) > 0) {
                    Files.write(dir.resolve(e.temp()), content);
                }
            }
            byte[] bytes = new TxRecord(r.id(), entries).encode();
            boolean asIs = entries.size() == 1 && entries.getFirst().target().equals("t") && r.id().equals(id);
            if (!asIs && rnd.nextInt(4) == 0) {
                bytes = JournalInputs.mutate(rnd, bytes);
            }
            String name = !asIs && rnd.nextInt(5) == 0 ? TempNames.intent(id) : TempNames.committed(id);
            Files.write(dir.resolve(name), bytes);
        }
        if (rnd.nextInt(4) == 0) { // a committed record that is a link to a file outside
            Files.createSymbolicLink(dir.resolve(TempNames.committed(JournalInputs.id(rnd))), base.resolve("secret.key"));
        }
        return named;
    }

    /** An absolute name, moved under {@code outside}, where the sentinels watch it. */
    private static String outsideIfAbsolute(String name, Path outside) {
        return name.startsWith("/") ? outside.resolve(name.substring(1).replace('/', '_').replace('\0', '_')).toString()
                : name;
    }

    private static void deleteTree(Path base) throws IOException {
        try (Stream<Path> all = Files.walk(base)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
