package org.cancelkit.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.cancelkit.jobs.Progress;
import org.cancelkit.jobs.ProgressListener;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ProgressListener} that records a job's progress in Micrometer (needs
 * {@code cancelkit-jobs}). Pass it to the job's options, or call it from your own listener.
 *
 * <table class="striped">
 *   <caption>job meters, tagged {@code job}</caption>
 *   <thead><tr><th>name</th><th>type</th><th>what</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code cancelkit.job.items.done}</td><td>gauge</td><td>items done, by this run and earlier ones</td></tr>
 *     <tr><td>{@code cancelkit.job.items.total}</td><td>gauge</td><td>items in the job</td></tr>
 *     <tr><td>{@code cancelkit.job.items.processed}</td><td>counter</td><td>items processed by runs in this process</td></tr>
 *     <tr><td>{@code cancelkit.job.checkpoint}</td><td>timer</td><td>checkpoint latency: from the item that
 *         triggered it to the checkpoint being durable (output synced, checkpoint file replaced)</td></tr>
 *     <tr><td>{@code cancelkit.job.runs}</td><td>counter</td><td>runs, by {@code outcome}: started, resumed,
 *         completed, stopped</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>Times come from the job's own clock (the {@link Progress#elapsed()} of consecutive events), so on
 * a {@code VirtualClock} they are exact. A job emits its events on one thread; one
 * {@code JobMetrics} serves one job at a time.
 */
public final class JobMetrics implements ProgressListener {
    private final MeterRegistry registry;
    private final String job;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private final Counter processed;
    private final Timer checkpoint;
    /** Written and read on the job's thread only: the previous event. */
    private Progress.@Nullable Event lastEvent;
    /** Written and read on the job's thread only: the previous event's elapsed time. */
    private Duration lastElapsed = Duration.ZERO;

    private JobMetrics(MeterRegistry registry, String job) {
        this.registry = registry;
        this.job = job;
        Gauge.builder("cancelkit.job.items.done", done, AtomicLong::get).description("items done")
                .tags("job", job).register(registry);
        Gauge.builder("cancelkit.job.items.total", total, AtomicLong::get).description("items in the job")
                .tags("job", job).register(registry);
        processed = Counter.builder("cancelkit.job.items.processed").description("items processed in this process")
                .tags("job", job).register(registry);
        checkpoint = Timer.builder("cancelkit.job.checkpoint").description("checkpoint latency")
                .tags("job", job).register(registry);
    }

    /**
     * Returns a listener recording the job named {@code job}.
     *
     * @param registry where to record
     * @param job the job's name: a fixed, low-cardinality name (not a run id)
     * @return the listener
     */
    public static JobMetrics of(MeterRegistry registry, String job) {
        return new JobMetrics(Objects.requireNonNull(registry, "registry"), TagValues.name("job", job));
    }

    @Override
    public void onProgress(Progress p) {
        done.set(p.done());
        total.set(p.total());
        switch (p.event()) {
            case STARTED, RESUMED, COMPLETED, STOPPED -> runs(p.event());
            case ITEM_DONE -> processed.increment();
            case CHECKPOINT -> {
                if (lastEvent == Progress.Event.ITEM_DONE) {
                    // The job writes a checkpoint right after the item that triggers it (rule 2 of the
                    // runner): the time between the two events is the checkpoint's write.
                    checkpoint.record(p.elapsed().minus(lastElapsed));
                }
            }
        }
        lastEvent = p.event();
        lastElapsed = p.elapsed();
    }

    private void runs(Progress.Event event) {
        Counter.builder("cancelkit.job.runs").description("job runs, by outcome")
                .tags("job", job, "outcome", TagValues.word(event)).register(registry).increment();
    }
}
