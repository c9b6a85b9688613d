package org.cancelkit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.cancelkit.CancelEvents;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.jobs.Fixtures.Tally;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code org.cancelkit.jobs.CheckpointWritten}: a job of 40 items checkpointing every 5 and cancelled
 * at item 16 writes its checkpoints at 5, 10, 15 and the stop checkpoint at 17, each an event with
 * those fields (Flight Recorder with the shipped {@code cancelkit.jfc}, and the hook). Negative
 * control: the JDK's default settings record none.
 */
class CheckpointEventsTest {
    private static final int N = 40;

    @TempDir
    Path dir;

    record Seen(List<RecordedEvent> jfr, List<CheckpointWritten> hook) {}

    Seen stoppedJob(Configuration settings) throws Exception {
        Path file = Files.createTempFile("jobs", ".jfr");
        List<CheckpointWritten> hook = new CopyOnWriteArrayList<>();
        try (Recording rec = new Recording(settings); var _ = CancelEvents.register(e -> {
            if (e instanceof CheckpointWritten c) {
                hook.add(c);
            }
        })) {
            rec.start();
            CancellationSource token = CancellationSource.create();
            Job<Integer, Tally> job = Fixtures.job(dir, N, (index, item, tally, out) -> {
                out.print(Fixtures.line(index, item));
                if (index == 16) {
                    token.cancel();
                }
                return tally.add(item);
            }).withOptions(JobOptions.defaults().withCheckpointEveryItems(5));
            assertThatThrownBy(() -> token.call(job::run)).isInstanceOf(CancelledException.class);
            rec.stop();
            rec.dump(file);
            List<RecordedEvent> ours = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("org.cancelkit.jobs.CheckpointWritten"))
                    .sorted((a, b) -> a.getStartTime().compareTo(b.getStartTime())).toList();
            return new Seen(ours, List.copyOf(hook));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    @DisplayName("J1: each checkpoint written is an event with the job, the next item and the total")
    void checkpointsAreEvents() throws Exception {
        Seen s = stoppedJob(Configuration.create(new StringReader(CancelEvents.jfrSettings())));
        assertThat(s.hook()).extracting(CheckpointWritten::nextItem).endsWith(5L, 10L, 15L, 17L);
        assertThat(s.hook()).allSatisfy(c -> assertThat(c.totalItems()).isEqualTo(N));
        assertThat(s.jfr()).extracting(e -> e.getLong("nextItem"))
                .containsExactlyElementsOf(s.hook().stream().map(CheckpointWritten::nextItem).toList());
        assertThat(s.jfr()).allSatisfy(e -> {
            assertThat(e.getString("job")).isEqualTo(s.hook().getFirst().jobId());
            assertThat(e.getLong("totalItems")).isEqualTo(N);
        });
    }

    @Test
    @DisplayName("negative control: the JDK's default settings record no checkpoint event; the hook still sees them")
    void defaultSettingsRecordNone() throws Exception {
        Seen s = stoppedJob(Configuration.getConfiguration("default"));
        assertThat(s.jfr()).isEmpty();
        assertThat(s.hook()).isNotEmpty();
    }
}
