package org.cancelkit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.jobs.Fixtures.Tally;
import org.cancelkit.jobs.Progress.Event;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** J3: progress events on the job's clock: done / total, rate and ETA exact for a scripted pace. */
class ProgressTest {
    private static final Duration PACE = Duration.ofMillis(250);

    @TempDir
    Path dir;

    /** Each item takes exactly 250 ms of the virtual clock. */
    private static ItemProcessor<Integer, Tally> paced(VirtualClock clock) {
        return (index, item, tally, out) -> {
            clock.advance(PACE);
            out.print(Fixtures.line(index, item));
            return tally.add(item);
        };
    }

    private static List<Progress> of(List<Progress> events, Event kind) {
        return events.stream().filter(p -> p.event() == kind).toList();
    }

    @Test
    @DisplayName("J3: at a scripted 250 ms per item, rate is 4.0 items/s and ETA is remaining x 250 ms, exactly")
    void exactRateAndEta() throws Exception {
        VirtualClock clock = VirtualClock.create();
        List<Progress> events = new ArrayList<>();
        Fixtures.job(dir, 40, paced(clock)).withOptions(JobOptions.defaults().withClock(clock)
                .withCheckpointEveryItems(10).withListener(events::add)).run();

        assertThat(events.getFirst()).isEqualTo(new Progress(Event.STARTED, 0, 40, 0, Duration.ZERO, 0.0, null));
        List<Progress> items = of(events, Event.ITEM_DONE);
        assertThat(items).hasSize(40);
        for (Progress p : items) {
            long k = p.done();
            assertThat(p.total()).isEqualTo(40);
            assertThat(p.doneThisRun()).isEqualTo(k);
            assertThat(p.elapsed()).isEqualTo(PACE.multipliedBy(k));
            assertThat(p.itemsPerSecond()).isEqualTo(4.0);
            assertThat(p.eta()).as("after %d items", k).isEqualTo(PACE.multipliedBy(40 - k));
        }
        assertThat(of(events, Event.CHECKPOINT)).extracting(Progress::done).containsExactly(10L, 20L, 30L, 40L);
        assertThat(events.getLast().event()).isEqualTo(Event.COMPLETED);
        assertThat(events.getLast().eta()).isEqualTo(Duration.ZERO);
        assertThat(events.getLast().fraction()).isEqualTo(1.0);
    }

    @Test
    @DisplayName("J3: a resumed run counts only its own items in rate and ETA; done includes the earlier ones")
    void resumedRunRateCountsOnlyThisRun() throws Exception {
        VirtualClock clock = VirtualClock.create();
        CancellationSource token = CancellationSource.create();
        ItemProcessor<Integer, Tally> first = (index, item, tally, out) -> {
            clock.advance(PACE);
            out.print(Fixtures.line(index, item));
            if (index == 19) {
                token.cancel();
            }
            return tally.add(item);
        };
        assertThatThrownBy(() -> token.call(Fixtures.job(dir, 40, first)
                .withOptions(JobOptions.defaults().withClock(clock))::run)).isInstanceOf(CancelledException.class);

        clock.advance(Duration.ofHours(1)); // the pause between runs does not count
        List<Progress> events = new ArrayList<>();
        Fixtures.job(dir, 40, (index, item, tally, out) -> {
            clock.advance(Duration.ofMillis(500)); // slower now: 2 items/s
            out.print(Fixtures.line(index, item));
            return tally.add(item);
        }).withOptions(JobOptions.defaults().withClock(clock).withListener(events::add)).run();
        assertThat(events.getFirst()).isEqualTo(new Progress(Event.RESUMED, 20, 40, 0, Duration.ZERO, 0.0, null));
        Progress after1 = of(events, Event.ITEM_DONE).getFirst();
        assertThat(after1.done()).isEqualTo(21);
        assertThat(after1.doneThisRun()).isEqualTo(1);
        assertThat(after1.itemsPerSecond()).isEqualTo(2.0);
        assertThat(after1.eta()).isEqualTo(Duration.ofMillis(500).multipliedBy(19));
    }

    @Test
    @DisplayName("J3: a checkpoint by time: not at interval - 1 ns, then exactly once at the interval")
    void checkpointByTime() throws Exception {
        VirtualClock clock = VirtualClock.create();
        List<Progress> events = new ArrayList<>();
        Duration step = Duration.ofSeconds(1).minusNanos(1).dividedBy(3); // 3 items end 1 ns short... almost
        long[] paces = {333_333_333, 333_333_333, 333_333_333, 1, 333_333_333};
        Fixtures.job(dir, 5, (index, item, tally, out) -> {
            clock.advance(Duration.ofNanos(paces[(int) index]));
            return tally.add(item);
        }).withOptions(JobOptions.defaults().withClock(clock).withCheckpointEveryItems(1_000)
                .withCheckpointEvery(Duration.ofSeconds(1)).withListener(events::add)).run();
        assertThat(step.toNanos()).isEqualTo(333_333_333);
        // after 3 items: 999,999,999 ns, not due; after the 4th: 1 s, due; the 5th is the end
        assertThat(of(events, Event.CHECKPOINT)).extracting(Progress::done).containsExactly(4L, 5L);
    }

    @Test
    @DisplayName("J3: the text bar renders done/total, percent, rate and ETA")
    void bar() {
        Progress p = new Progress(Event.ITEM_DONE, 50, 200, 50, Duration.ofSeconds(4), 12.5, Duration.ofSeconds(12));
        assertThat(ProgressBar.line(p, 20)).isEqualTo("[#####...............]  50/200  25.0%  12.5 items/s  ETA 12.0 s");
        Progress unknown = new Progress(Event.RESUMED, 0, 10, 0, Duration.ZERO, 0, null);
        assertThat(ProgressBar.line(unknown, 4)).isEqualTo("[....]  0/10  0.0%  0.0 items/s  ETA ?");
        assertThatThrownBy(() -> ProgressBar.line(p, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width");
        assertThatThrownBy(() -> new Progress(Event.ITEM_DONE, 5, 4, 0, Duration.ZERO, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of order");
    }
}
