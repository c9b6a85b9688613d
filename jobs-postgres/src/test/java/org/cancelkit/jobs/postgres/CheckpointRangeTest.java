package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Consumer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cancelkit.jobs.CheckpointException.Problem;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.cancelkit.jobs.postgres.internal.PartitionCheckpoint;
import org.cancelkit.jobs.postgres.internal.PartitionCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * J2 for the numbers of a partition checkpoint: a row forged (and sealed again, as anyone who can write
 * the table can) with a {@code partition}, {@code partitions} or {@code stateVersion} past int range, or
 * with a partition outside {@code 0 .. partitions - 1}, is refused as {@link Problem#CORRUPT} with a
 * message naming the field, the value and the allowed range; it is never read modulo 2^32 (4294967297 as
 * 1) nor as a partition beyond the job's items. Negative control: the same row unforged decodes.
 *
 * <p>The decoder alone, without a database: what a worker passes it is the row's text and the job's own
 * view of the row's partition ({@code ClusterJob.shape}).
 */
class CheckpointRangeTest {
    private static final int N = 30;

    /** The job's view of partition {@code p} of 3, as {@code ClusterJob.shape} computes it, even out of range. */
    private static PartitionCheckpoint<Tally> shape(int p) {
        return new PartitionCheckpoint<>("range", p, 3, 1, N, p * (long) N / 3, (p + 1) * (long) N / 3,
                p * (long) N / 3, 0, Tally.ZERO);
    }

    private static String honest(int p) throws Exception {
        return PartitionCodec.encode(shape(p));
    }

    private static void refused(int p, Consumer<ObjectNode> forge, String... inMessage) throws Exception {
        String forged = PartitionCheckpoints.resealed(honest(p), forge);
        PartitionCheckpoint<Tally> expected = shape(p);
        assertThatThrownBy(() -> PartitionCodec.decode("t", forged, expected, expected.nextItem(), Tally.class))
                .as(forged).isInstanceOfSatisfying(PartitionCheckpointException.class, e -> {
                    assertThat(e.problem()).isEqualTo(Problem.CORRUPT);
                    assertThat(e.getMessage()).contains(inMessage);
                });
    }

    @Test
    @DisplayName("J2: partition, partitions and stateVersion past int range are refused, not read as 1, 3 and 1")
    void pastIntRange() throws Exception {
        refused(1, b -> b.put("partition", 4_294_967_297L), "\"partition\"", "4294967297", "0 to 2");
        refused(1, b -> b.put("partitions", 4_294_967_299L), "\"partitions\"", "4294967299", "1 to 2147483647");
        refused(1, b -> b.put("stateVersion", 4_294_967_297L), "\"stateVersion\"", "4294967297", "1 to 2147483647");
    }

    @Test
    @DisplayName("J2: a partition number outside 0 .. partitions - 1, forged consistently into the row, is refused")
    void partitionOutsideTheJob() throws Exception {
        refused(3, b -> { }, "\"partition\"", "3", "0 to 2");
        refused(5, b -> { }, "\"partition\"", "5", "0 to 2");
        refused(-1, b -> { }, "\"partition\"", "-1", "0 to 2");
        refused(1, b -> b.put("partitions", 0), "\"partitions\"", "0", "1 to 2147483647");
        refused(1, b -> b.put("stateVersion", 0), "\"stateVersion\"", "0", "1 to 2147483647");
    }

    @Test
    @DisplayName("J2: a fraction or text where a number belongs is refused")
    void notWholeNumbers() throws Exception {
        refused(1, b -> b.put("partition", 1.5), "\"partition\"", "1.5");
        refused(1, b -> b.put("stateVersion", "1"), "\"stateVersion\"", "\"1\"");
    }

    @Test
    @DisplayName("J2: a number the JSON reader tokenizes but cannot hold (an exponent past int range) is CORRUPT")
    void numberPastTheReader() throws Exception {
        String text = honest(1).replace("\"outputRows\":0", "\"outputRows\":89954921e-2147483649337986024655");
        PartitionCheckpoint<Tally> expected = shape(1);
        assertThatThrownBy(() -> PartitionCodec.decode("t", text, expected, expected.nextItem(), Tally.class))
                .isInstanceOfSatisfying(PartitionCheckpointException.class, e -> {
                    assertThat(e.problem()).isEqualTo(Problem.CORRUPT);
                    assertThat(e.getMessage()).contains("a number that cannot be read");
                });
    }

    @Test
    @DisplayName("J2 negative control: every partition's honest row decodes, and a row sealed again unchanged too")
    void honestRowsDecode() throws Exception {
        for (int p = 0; p < 3; p++) {
            PartitionCheckpoint<Tally> expected = shape(p);
            assertThat(PartitionCodec.decode("t", honest(p), expected, expected.nextItem(), Tally.class))
                    .isEqualTo(expected);
            String resealed = PartitionCheckpoints.resealed(honest(p), b -> { });
            assertThat(PartitionCodec.decode("t", resealed, expected, expected.nextItem(), Tally.class))
                    .isEqualTo(expected);
        }
    }
}
