package org.cancelkit.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancellation-safe file writer: a writer of 1,000 lines cancelled by a 10 ms timeout before its
 * commit leaves no target and no temporary file (F3).
 *
 * <p>Each line "takes" 1 ms of virtual time, so the timeout fires after line 10, every time, whatever
 * the machine's speed.
 */
class TimeoutBeforeCommitTest {
    @TempDir
    Path dir;

    @Test
    void timedOutWriter_leavesNoTargetNorTemporary_F3() throws Exception {
        Path target = dir.resolve("test.txt");
        AtomicInteger lines = new AtomicInteger();
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> assertThatThrownBy(() -> writeThousandLines(clock, target, Duration.ofMillis(10), lines))
                .isInstanceOf(DeadlineExceededException.class));

        assertThat(target).doesNotExist();                   // cancelled before commit
        assertThat(TestFiles.leftovers(dir)).isEmpty();      // and the temporary file is gone
        assertThat(lines.get()).isEqualTo(10);               // stopped at its first write past the deadline
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    /** Negative control: with time to spare the same writer commits, so the test can see a file. */
    @Test
    void negativeControl_enoughTime_commits() throws Exception {
        Path target = dir.resolve("test.txt");
        AtomicInteger lines = new AtomicInteger();
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> writeThousandLines(clock, target, Duration.ofHours(1), lines));

        assertThat(Files.readAllLines(target)).hasSize(1000).endsWith("Line 999");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }

    private static void writeThousandLines(VirtualClock clock, Path target, Duration timeout, AtomicInteger lines)
            throws Exception {
        Timeout.run(timeout, () -> {
            try (AtomicFileWriter writer = AtomicFileWriter.open(target)) {
                for (int i = 0; i < 1000; i++) {
                    writer.write(("Line " + i + "\n").getBytes(UTF_8));
                    lines.incrementAndGet();
                    clock.advance(Duration.ofMillis(1)); // the line took 1 ms
                }
                writer.commit();
            }
        });
    }
}
