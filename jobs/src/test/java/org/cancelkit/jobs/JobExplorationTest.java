package org.cancelkit.jobs;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cancelkit.Cancellation;
import org.cancelkit.jobs.Fixtures.Tally;
import org.cancelkit.testkit.CancellationExplorer;
import org.cancelkit.testkit.ExplorationReport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testkit's explorer on a job run: cancelled at every cancellation point in turn (the check before
 * each item, a check in the middle of each item, every point of each checkpoint's atomic write), then
 * checked from outside: the checkpoint is whole and counts no more output than there is (J2), and a
 * fresh run resumes and leaves every item's output exactly once (J1).
 */
class JobExplorationTest {
    private static final int N = 12;

    @TempDir
    Path dir;

    /** Writes half of its line, passes a cancellation point, writes the rest. */
    private static ItemProcessor<Integer, Tally> halfThenCheck() {
        return (index, item, tally, out) -> {
            String line = Fixtures.line(index, item);
            out.print(line.substring(0, line.length() / 2));
            Cancellation.check();
            out.print(line.substring(line.length() / 2));
            return tally.add(item);
        };
    }

    @Test
    @DisplayName("J1 J2: cancelled at every cancellation point of a run, the job resumes with each item's output once")
    void everyCancellationPoint() {
        Job<Integer, Tally> job = Fixtures.job(dir, N, halfThenCheck())
                .withOptions(JobOptions.defaults().withCheckpointEveryItems(4));
        ExplorationReport report = CancellationExplorer.explore(job::run)
                .before(() -> Fixtures.clear(dir))
                .check("J2: the checkpoint, if any, is whole and counts no more output than the file has", () -> {
                    var cp = job.checkpoint(); // throws CheckpointException if torn
                    if (cp.isPresent()) {
                        assertThat(cp.get().outputLength()).isLessThanOrEqualTo(Files.size(job.outputFile()));
                    }
                })
                .check("J1: a fresh run resumes and the output holds every item exactly once", () -> {
                    Fixtures.job(dir, N, Fixtures.writeLine()).run();
                    Fixtures.assertExactlyOnce(job.outputFile(), N, "resumed");
                })
                .run();
        report.assertAllHeld();
        System.out.println("[J1 exploration] " + report.points() + " cancellation points, all held");
        // each item's check and mid-item check, plus the points of the checkpoint writes
        assertThat(report.points()).isGreaterThan(2 * N);
    }

    @Test
    @DisplayName("J1 J2: an I/O error at every cancellation point of a run (items, output, checkpoint writes): resumed, each item once")
    void ioErrorAtEveryPoint() {
        Job<Integer, Tally> job = Fixtures.job(dir, N, halfThenCheck())
                .withOptions(JobOptions.defaults().withCheckpointEveryItems(4));
        ExplorationReport report = CancellationExplorer.explore(job::run)
                .before(() -> Fixtures.clear(dir))
                .injecting(() -> new java.io.IOException("injected: disk error"))
                .check("J2: the checkpoint, if any, is whole and counts no more output than the file has", () -> {
                    var cp = job.checkpoint();
                    if (cp.isPresent()) {
                        assertThat(cp.get().outputLength()).isLessThanOrEqualTo(Files.size(job.outputFile()));
                    }
                })
                .check("J1: a fresh run resumes and the output holds every item exactly once", () -> {
                    Fixtures.job(dir, N, Fixtures.writeLine()).run();
                    Fixtures.assertExactlyOnce(job.outputFile(), N, "resumed after an I/O error");
                })
                .run();
        report.assertAllHeld();
        assertThat(report.explored()).isGreaterThan(2 * N);
    }

    /**
     * Negative control: an item whose output bypasses {@link ItemOutput} (appended straight to a side
     * file by the processor itself) is written twice when the item is cancelled after its write and
     * redone on resume; the same exactly-once check finds it.
     */
    @Test
    @DisplayName("J1 negative control: output written around ItemOutput is found duplicated by the same check")
    void negativeControl_outputAroundTheJob_isDuplicated() {
        Path side = dir.resolve("side.out");
        Job<Integer, Tally> job = Fixtures.job(dir, N, (index, item, tally, out) -> {
            Files.writeString(side, Fixtures.line(index, item), CREATE, APPEND);
            Cancellation.check();
            return tally.add(item);
        }).withOptions(JobOptions.defaults().withCheckpointEveryItems(4));
        ExplorationReport report = CancellationExplorer.explore(job::run)
                .before(() -> Fixtures.clear(dir))
                .check("J1: the side output holds every item exactly once", () -> {
                    Fixtures.job(dir, N, (index, item, tally, out) -> {
                        Files.writeString(side, Fixtures.line(index, item), CREATE, APPEND);
                        return tally.add(item);
                    }).run();
                    Fixtures.assertExactlyOnce(side, N, "side output");
                })
                .run();
        assertThat(report.allHeld()).as("the check must find duplicated side output").isFalse();
        assertThat(report.violations()).anySatisfy(v -> assertThat(v.failure())
                .hasMessageContaining("more than once"));
    }
}
