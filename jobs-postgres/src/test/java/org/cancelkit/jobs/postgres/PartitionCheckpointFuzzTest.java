package org.cancelkit.jobs.postgres;

import org.cancelkit.testkit.Fuzz;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.cancelkit.jobs.postgres.internal.PartitionCheckpoint;
import org.cancelkit.jobs.postgres.internal.PartitionCodec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing the partition checkpoint, the data of this module that crosses a trust boundary (whoever can
 * UPDATE the partitions table writes it): random text, deep nesting, character mutations and field
 * mutations sealed again ({@link PartitionCheckpointInputs}). Pass (J2): the decoder returns this
 * partition's checkpoint within its range, or throws a {@link PartitionCheckpointException} naming the
 * job and the partition with a bounded message, never another exception or error (no stack overflow,
 * no number error), and allocates a bounded amount. Negative control: honest rows decode, and forged
 * rows reach the checks behind the checksum.
 *
 * <p>The decoder alone, without a database: it is what a worker runs on the row's text. Plain JUnit with
 * a reproducible random generator ({@link Fuzz}), as the jobs module's CheckpointFuzzTest.
 */
class PartitionCheckpointFuzzTest {
    private static final String TABLE = "fuzz_partitions";

    @Test
    void decoder() {
        decoder(Fuzz.SHORT);
    }

    @Test
    @Tag("stress")
    void decoder_stress() {
        decoder(Fuzz.LONG);
    }

    private static void decoder(Duration budget) {
        Map<String, Integer> outcomes = new TreeMap<>();
        long[] maxAllocated = {0};
        long n = Fuzz.run("partition checkpoint decoder", budget, 200, (rnd, i) -> {
            int p = rnd.nextInt(PartitionCheckpointInputs.PARTITIONS);
            String input = PartitionCheckpointInputs.any(rnd, p);
            PartitionCheckpoint<Tally> expected = PartitionCheckpointInputs.shape(p);
            long rowNextItem = rnd.nextInt(8) == 0 ? rnd.nextInt(PartitionCheckpointInputs.N + 1)
                    : nextItemOf(input, expected.firstItem());
            long before = Fuzz.allocatedBytes();
            try {
                PartitionCheckpoint<Tally> cp = PartitionCodec.decode(TABLE, input, expected, rowNextItem,
                        Tally.class);
                assertThat(cp.jobId()).isEqualTo(PartitionCheckpointInputs.JOB);
                assertThat(cp.partition()).isEqualTo(p);
                assertThat(cp.partitions()).isEqualTo(PartitionCheckpointInputs.PARTITIONS);
                assertThat(cp.stateVersion()).isEqualTo(1);
                assertThat(cp.totalItems()).isEqualTo(PartitionCheckpointInputs.N);
                assertThat(cp.firstItem()).isEqualTo(expected.firstItem());
                assertThat(cp.endItem()).isEqualTo(expected.endItem());
                assertThat(cp.nextItem()).isBetween(cp.firstItem(), cp.endItem()).isEqualTo(rowNextItem);
                assertThat(cp.outputRows()).isBetween(0L, cp.nextItem() - cp.firstItem());
                assertThat(cp.state()).isNotNull();
                assertWrittenAsDecoded(input, cp);
                outcomes.merge("decoded", 1, Integer::sum);
            } catch (PartitionCheckpointException e) {
                assertThat(e.jobId()).isEqualTo(PartitionCheckpointInputs.JOB);
                assertThat(e.partition()).isEqualTo(p);
                assertThat(e.getMessage()).as("a bounded message").hasSizeLessThan(2_000)
                        .startsWith("PostgreSQL table " + TABLE + ", job '" + PartitionCheckpointInputs.JOB
                                + "', partition " + p + ": ");
                outcomes.merge(e.problem().name(), 1, Integer::sum);
            } finally {
                long used = Fuzz.allocatedBytes() - before;
                maxAllocated[0] = Math.max(maxAllocated[0], used);
                if (before >= 0) {
                    assertThat(used).as("allocated for %s", Fuzz.show(input.getBytes(
                            java.nio.charset.StandardCharsets.UTF_8))).isLessThan(64L * input.length() + (8 << 20));
                }
            }
        });
        System.out.println("[fuzz, partition checkpoint decoder] -Dcancelkit.fuzz.start=" + Fuzz.START + ": " + n
                + " inputs " + outcomes + ", at most " + maxAllocated[0] + " bytes allocated by one decode");
        assertThat(outcomes).as("negative control: honest rows decode, and the checks behind the checksum are "
                + "reached").containsKeys("decoded", "CORRUPT", "WRONG_JOB", "WRONG_ITEM_COUNT");
    }

    /** A decoded row says exactly the numbers decoded: none wrapped (4294967297 as 1), none rounded (1.5 as 1). */
    private static void assertWrittenAsDecoded(String input, PartitionCheckpoint<Tally> cp) throws Exception {
        JsonNode body = PartitionCheckpoints.MAPPER.readTree(input).path("body");
        Map<String, Long> decoded = Map.of("partition", (long) cp.partition(), "partitions", (long) cp.partitions(),
                "stateVersion", (long) cp.stateVersion(), "totalItems", cp.totalItems(), "firstItem", cp.firstItem(),
                "endItem", cp.endItem(), "nextItem", cp.nextItem(), "outputRows", cp.outputRows());
        decoded.forEach((field, value) -> assertThat(body.path(field).isIntegralNumber()
                && body.path(field).bigIntegerValue().equals(BigInteger.valueOf(value)))
                .as("\"%s\" written %s, decoded %d", field, body.path(field), value).isTrue());
    }

    /** The row's next_item as a worker would read it: the checkpoint's own, where the text still says it. */
    private static long nextItemOf(String input, long otherwise) {
        try {
            return PartitionCheckpoints.MAPPER.readTree(input).path("body").path("nextItem").asLong(otherwise);
        } catch (Exception e) {
            return otherwise; // not JSON: any value will do, the decoder refuses the text first
        }
    }
}
