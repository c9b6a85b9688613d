package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskHistory#reportIfWhole}, the report of the usual join (every task ended and kept), gives
 * what the general path gives (lists, then a sort by fork order), and stands aside whenever it could
 * not: something dropped, nothing kept, or a task missing.
 */
class TaskHistoryReportTest {
    private static TaskResult result(String name) {
        return new TaskResult(name, TaskOutcome.COMPLETED, Duration.ZERO, null, null, new StackTraceElement[0]);
    }

    /** Records tasks 0..n-1 in a shuffled end order; returns that order. */
    private static List<Integer> recordShuffled(TaskHistory h, int n, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new java.util.Random(seed));
        for (int seq : order) {
            h.record(seq, result("t" + seq));
        }
        return order;
    }

    @Test
    @DisplayName("every task ended and kept: fork order by placement equals the sorted general path; end order as recorded")
    void wholeReportMatchesTheGeneralPath() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            int n = rnd.nextInt(0, 300);
            TaskHistory h = new TaskHistory(Integer.MAX_VALUE);
            List<Integer> endOrder = recordShuffled(h, n, rnd.nextLong());
            TaskReport whole = h.reportIfWhole();
            assertThat(whole).isNotNull();
            assertThat(whole.tasks()).isEqualTo(TaskHistory.inForkOrder(h.kept()));
            assertThat(whole.endOrder()).extracting(TaskResult::name)
                    .containsExactlyElementsOf(endOrder.stream().map(i -> "t" + i).toList());
        }
    }

    @Test
    @DisplayName("control: it stands aside when results were dropped, when none is kept, or when a fork order is missing")
    void standsAsideWhenNotWhole() {
        TaskHistory bounded = new TaskHistory(10);
        recordShuffled(bounded, 100, 1); // drops all but the last ten
        assertThat(bounded.reportIfWhole()).isNull();

        TaskHistory none = new TaskHistory(0);
        none.record(0, new TaskResult("f", TaskOutcome.FAILED, Duration.ZERO, null, new RuntimeException("x"),
                new StackTraceElement[0]));
        assertThat(none.reportIfWhole()).as("the first failure is kept by the general path only").isNull();

        TaskHistory gap = new TaskHistory(Integer.MAX_VALUE);
        gap.record(0, result("t0"));
        gap.record(2, result("t2")); // task 1 has not ended
        assertThat(gap.reportIfWhole()).isNull();

        TaskHistory twice = new TaskHistory(Integer.MAX_VALUE);
        twice.record(0, result("t0"));
        twice.record(0, result("t0 again"));
        assertThat(twice.reportIfWhole()).isNull();
    }
}
