package org.cancelkit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.jobs.Fixtures.Tally;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input is a clear error that says how to fix it; a rich state survives its checkpoint exactly (J2). */
class InputAndStateTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("bad input: each error says what was wrong and how to fix it")
    void badInput() {
        assertThatThrownBy(() -> Job.create("a/b", dir, List.of(1), Tally.class, Tally.ZERO, Fixtures.writeLine()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a/b'").hasMessageContaining("letters");
        assertThatThrownBy(() -> Job.create("", dir, List.of(1), Tally.class, Tally.ZERO, Fixtures.writeLine()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Job.create("j", dir, List.of(1), Tally.class, null, Fixtures.writeLine()))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("initialState");
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Tally> lying = (Class) String.class;
        assertThatThrownBy(() -> Job.create("j", dir, List.of(1), lying, Tally.ZERO, Fixtures.writeLine()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a java.lang.String");
        JobOptions o = JobOptions.defaults();
        assertThatThrownBy(() -> o.withCheckpointEveryItems(0)).hasMessageContaining("1 or more")
                .hasMessageContaining("checkpointEvery duration");
        assertThatThrownBy(() -> o.withCheckpointEvery(Duration.ZERO)).hasMessageContaining("positive");
        assertThatThrownBy(() -> o.withCleanupBudget(Duration.ofSeconds(-1))).hasMessageContaining("positive");
        assertThatThrownBy(() -> o.withStateVersion(0)).hasMessageContaining("1 or more");
        assertThatThrownBy(() -> new Checkpoint<>("j", 1, 5, 4, 0, "s")).hasMessageContaining("out of range");
    }

    @Test
    @DisplayName("a null state returned by an item is an ItemFailedException that says what to return")
    void nullState() {
        Job<Integer, Tally> job = Fixtures.job(dir, 3, (i, item, s, out) -> i == 1 ? null : s.add(item));
        assertThatThrownBy(job::run).isInstanceOf(ItemFailedException.class).hasMessageContaining("item 1")
                .cause().hasMessageContaining("null state");
    }

    /** A state with doubles, a list, a map and non-ASCII text. */
    public record Rich(double ratio, float small, List<Long> ids, Map<String, String> tags, String text) {}

    @Test
    @DisplayName("J2: a rich state (doubles, floats, lists, maps, non-ASCII text) round-trips and its checksum verifies")
    void richStateRoundTrips() throws Exception {
        Rich start = new Rich(0.1, 1.1f, List.of(), Map.of(), "");
        Job<Integer, Rich> job = Job.create("rich", dir, Fixtures.items(30), Rich.class, start, (i, item, s, out) -> {
            List<Long> ids = new java.util.ArrayList<>(s.ids());
            ids.add(Long.MAX_VALUE - i);
            Map<String, String> tags = new java.util.TreeMap<>(s.tags());
            tags.put("k" + i, "värde ☃ " + i);
            return new Rich(s.ratio() / 3 + Math.PI * i, s.small() * 1.7f, ids, tags, s.text() + "é");
        }).withOptions(JobOptions.defaults().withCheckpointEveryItems(7));
        JobResult<Rich> r = job.run();
        Rich back = job.checkpoint().orElseThrow().state();
        assertThat(back).isEqualTo(r.state());
        assertThat(back.ids()).hasSize(30).first().isEqualTo(Long.MAX_VALUE);
        assertThat(back.text()).hasSize(30);
    }

    /** A money total: exact decimals whose scale matters. */
    public record Money(BigDecimal total) {}

    /**
     * J1 for a BigDecimal state: each checkpoint keeps every digit and the scale, so the state a resumed
     * run starts from is exactly the one an uninterrupted run had there. Read as a double, 1.10 came back
     * as 1.1 and 12345678901234567.10 as 12345678901234568, checksum and all.
     */
    @Test
    @DisplayName("J1/J2: a BigDecimal state keeps its digits and scale through every checkpoint")
    void bigDecimalStateIsExact() throws Exception {
        Money start = new Money(new BigDecimal("12345678901234567.10"));
        Job<Integer, Money> job = Job.create("money", dir, Fixtures.items(20), Money.class, start,
                (i, item, m, out) -> new Money(m.total().add(new BigDecimal("0.10"))))
                .withOptions(JobOptions.defaults().withCheckpointEveryItems(3));
        CancellationSource token = CancellationSource.create();
        Job<Integer, Money> stopping = Job.create("money", dir, Fixtures.items(20), Money.class, start,
                (i, item, m, out) -> {
                    if (i == 10) {
                        token.cancel("half-way");
                        Cancellation.check();
                    }
                    return new Money(m.total().add(new BigDecimal("0.10")));
                }).withOptions(JobOptions.defaults().withCheckpointEveryItems(3));
        assertThatThrownBy(() -> token.call(stopping::run)).isInstanceOf(CancelledException.class);
        Money saved = job.checkpoint().orElseThrow().state();
        assertThat(saved.total()).isEqualTo(new BigDecimal("12345678901234568.10")); // + 10 × 0.10, scale 2
        JobResult<Money> r = job.run();
        assertThat(r.state().total()).isEqualTo(new BigDecimal("12345678901234569.10")); // + 20 × 0.10
    }
}

