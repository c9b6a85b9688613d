package org.cancelkit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.jobs.Fixtures.Tally;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * J3: {@link ProgressBar#printer} shows a job's progress at a bounded rate, says when a run resumed,
 * and redraws one line on a terminal. The jobs README's example uses it: 20,000 items at 0.1 ms each
 * (2 s of the job's clock) print a handful of lines, not one per item.
 */
class ProgressPrinterTest {
    private static final Duration PACE = Duration.ofNanos(100_000);

    @TempDir
    Path dir;

    private static ItemProcessor<Integer, Tally> paced(VirtualClock clock, CancellationSource stopAt, int stopIndex) {
        return (index, item, tally, out) -> {
            clock.advance(PACE);
            out.print(Fixtures.line(index, item));
            if (index == stopIndex) {
                stopAt.cancel();
            }
            return tally.add(item);
        };
    }

    private static String run(Path dir, VirtualClock clock, ProgressListener listener, CancellationSource stop, int stopIndex)
            throws Exception {
        Job<Integer, Tally> job = Fixtures.job(dir, 20_000, paced(clock, stop, stopIndex)).withOptions(
                JobOptions.defaults().withClock(clock).withCheckpointEveryItems(1_000).withListener(listener));
        try {
            return stop.token().call(job::run).toString();
        } catch (CancelledException e) {
            return "cancelled";
        }
    }

    @Test
    @DisplayName("J3: 20,000 items in 2 s of the job's clock print a line a second, the start and the end")
    void aFastJobPrintsAFewLines() throws Exception {
        VirtualClock clock = VirtualClock.create();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        run(dir, clock, ProgressBar.printer(new PrintStream(buf, true, StandardCharsets.UTF_8),
                Duration.ofSeconds(1), false), CancellationSource.create(), -1);
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.getFirst()).isEqualTo("started: 20000 items");
        assertThat(lines.getLast()).startsWith("completed [##############################]  20000/20000  100.0%");
        assertThat(lines).as(String.join("\n", lines)).hasSize(4); // started, at 1 s, at 2 s, completed
    }

    /** Negative control: with no interval, the same job prints a line for every item and checkpoint. */
    @Test
    void withoutAnIntervalEveryEventIsALine() throws Exception {
        VirtualClock clock = VirtualClock.create();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        run(dir, clock, ProgressBar.printer(new PrintStream(buf, true, StandardCharsets.UTF_8),
                Duration.ZERO, false), CancellationSource.create(), -1);
        assertThat(buf.toString(StandardCharsets.UTF_8).lines().count()).isEqualTo(1 + 20_000 + 20 + 1);
    }

    @Test
    @DisplayName("J3: a second run says it resumed, and from which item; a stopped run says how to go on")
    void theSecondRunSaysResumed() throws Exception {
        VirtualClock clock = VirtualClock.create();
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        run(dir, clock, ProgressBar.printer(new PrintStream(first, true, StandardCharsets.UTF_8),
                Duration.ofSeconds(1), false), CancellationSource.create(), 12_499);
        assertThat(first.toString(StandardCharsets.UTF_8).lines().toList().getLast())
                .startsWith("stopped").endsWith("(checkpoint saved: run again to resume)");

        ByteArrayOutputStream second = new ByteArrayOutputStream();
        run(dir, clock, ProgressBar.printer(new PrintStream(second, true, StandardCharsets.UTF_8),
                Duration.ofSeconds(1), false), CancellationSource.create(), -1);
        List<String> lines = second.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.getFirst()).isEqualTo("resumed at item 12500 of 20000 (from the checkpoint)");
        assertThat(lines.getLast()).startsWith("completed");
    }

    @Test
    @DisplayName("J3: on a terminal the bar is redrawn in place; the start and the end have lines of their own")
    void onATerminalOneLineIsRedrawn() throws Exception {
        VirtualClock clock = VirtualClock.create();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        run(dir, clock, ProgressBar.printer(new PrintStream(buf, true, StandardCharsets.UTF_8),
                Duration.ofMillis(500), true), CancellationSource.create(), -1);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("started: 20000 items\n\r[");
        assertThat(out.chars().filter(c -> c == '\r').count()).isEqualTo(4); // at 0.5, 1, 1.5 and 2 s
        assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(3); // started; the redrawn bar; completed
        assertThat(out).endsWith("\ncompleted [##############################]  20000/20000  100.0%  10000.0 items/s  ETA 0.0 s\n");
    }

    @Test
    void aNegativeIntervalIsRefused() {
        assertThatThrownBy(() -> ProgressBar.printer(System.out, Duration.ofSeconds(-1), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("every must be zero or more");
    }
}
