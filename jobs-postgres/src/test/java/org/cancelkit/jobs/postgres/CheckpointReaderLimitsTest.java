package org.cancelkit.jobs.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.cancelkit.jobs.CheckpointException.Problem;
import org.cancelkit.jobs.postgres.Fixtures.Tally;
import org.cancelkit.jobs.postgres.internal.PartitionCheckpoint;
import org.cancelkit.jobs.postgres.internal.PartitionCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * J2 for the JSON reader's limits on a partition checkpoint: a row with a number past 1000 digits or
 * nested past 1000 levels is refused as {@link Problem#TOO_LARGE} with the limits and how to raise
 * the one that can be raised, as the file store does, never as a raw Jackson exception nor as damage;
 * a state nested that deep is refused when it is written, so a worker never writes a row it would
 * refuse. Negative controls: within the limits, the same forged rows are refused for what they are
 * (their checksum), and the deepest state written is read back.
 *
 * <p>The codec alone, without a database.
 */
class CheckpointReaderLimitsTest {
    private static final int N = 9;
    private static final int LIMIT = 4096;

    /** A state holding any JSON value: lists nested to a chosen depth. */
    public record Nested(Object value) {}

    private static PartitionCheckpoint<Tally> tallyShape() {
        return new PartitionCheckpoint<>("limits", 0, 3, 1, 30, 0, 10, 0, 0, Tally.ZERO);
    }

    private static void refusedAs(Problem problem, String text, String... inMessage) {
        PartitionCheckpoint<Tally> shape = tallyShape();
        assertThatThrownBy(() -> PartitionCodec.decode("t", text, shape, 0, Tally.class)).as(problem.name())
                .isInstanceOfSatisfying(PartitionCheckpointException.class, e -> {
                    assertThat(e.problem()).isEqualTo(problem);
                    assertThat(e.getMessage()).contains(inMessage);
                });
    }

    @Test
    @DisplayName("J2: a row with a number past the JSON reader's 1000 digits is TOO_LARGE; 999 digits is not")
    void aNumberOverTheReadersLimit_isTooLarge() throws Exception {
        String honest = PartitionCodec.encode(tallyShape());
        assertThat(honest).contains("\"sum\":0");
        refusedAs(Problem.TOO_LARGE, honest.replace("\"sum\":0", "\"sum\":1" + "0".repeat(1000)), "1000 digits",
                "JobOptions.withMaxCheckpointBytes");
        refusedAs(Problem.CORRUPT, honest.replace("\"sum\":0", "\"sum\":1" + "0".repeat(998)), "checksum");
    }

    @Test
    @DisplayName("J2: a row nested past the JSON reader's 1000 levels is TOO_LARGE; 900 levels is not")
    void aNestingOverTheReadersLimit_isTooLarge() throws Exception {
        String honest = PartitionCodec.encode(tallyShape());
        String state = "{\"count\":0,\"sum\":0}";
        assertThat(honest).contains(state);
        refusedAs(Problem.TOO_LARGE, honest.replace(state, "[".repeat(1000) + "]".repeat(1000)), "1000 levels",
                "JobOptions.withMaxCheckpointBytes");
        refusedAs(Problem.CORRUPT, honest.replace(state, "[".repeat(900) + "]".repeat(900)), "checksum");
    }

    @Test
    @DisplayName("J2: a state nested past the reader's depth is refused on write; the deepest one written is read back")
    void aNestingOverTheLimit_isNeverWritten() throws Exception {
        PartitionCheckpoint<Nested> shape = new PartitionCheckpoint<>("deep", 0, 1, 1, N, 0, N, 0, 0, new Nested(1));
        String deepest = null;
        int depth = 900;
        for (;; depth++) {
            Object value = 1;
            for (int i = 0; i < depth; i++) {
                value = List.of(value);
            }
            try {
                deepest = PartitionCodec.encode("t", shape.advance(0, 0, new Nested(value)), LIMIT);
            } catch (PartitionCheckpointException e) {
                assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
                assertThat(e.getMessage()).contains("1000 levels");
                break;
            }
        }
        assertThat(depth).as("refused at the reader's depth, not before").isGreaterThan(990).isLessThanOrEqualTo(1001);
        assertThat(PartitionCodec.decode("t", deepest, shape, 0, Nested.class, LIMIT).state()).isNotNull();
    }
}
