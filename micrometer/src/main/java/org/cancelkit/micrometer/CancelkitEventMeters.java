package org.cancelkit.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Objects;
import org.cancelkit.CancelEvent;
import org.cancelkit.CancelEvents;

/**
 * Process-wide meters fed by cancelkit's event hook ({@link CancelEvents}): every deadline that fired,
 * every cancel by the kind of its reason, every shield that ran over its budget or not, the outcome of
 * every task of any {@code TaskGroup}, and every abandoned task — whether or not the code that caused
 * them went through {@link CancelkitMeters}. Counters only, with fixed low-cardinality tags.
 *
 * {@snippet :
 * try (CancelkitEventMeters meters = CancelkitEventMeters.register(registry)) {
 *     app.run();                       // everything cancelkit does in this process is counted
 * }
 * }
 *
 * <table>
 *   <caption>The meters</caption>
 *   <thead><tr><th>name</th><th>tags</th><th>what</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code cancelkit.process.deadlines.fired}</td><td></td><td>deadlines that fired</td></tr>
 *     <tr><td>{@code cancelkit.process.cancels}</td><td>{@code reason}, {@code phase} = soft, hard</td>
 *         <td>cancels that took effect (closing a scope is not one; a soft cancel turning hard is not a new one)</td></tr>
 *     <tr><td>{@code cancelkit.process.shields}</td><td>{@code outcome} = within_budget, over_budget</td>
 *         <td>shielded cleanups that ended</td></tr>
 *     <tr><td>{@code cancelkit.process.tasks}</td><td>{@code outcome}</td><td>tasks of any group that ended</td></tr>
 *     <tr><td>{@code cancelkit.process.tasks.abandoned}</td><td></td><td>tasks left running by a bounded close</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>Counting runs on the thread that emitted the event and never blocks. Thread-safe; closing removes
 * the listener (the meters stay in the registry).
 */
public final class CancelkitEventMeters implements AutoCloseable {
    private final MeterRegistry registry;
    private final Counter deadlines;
    private final Counter abandoned;
    private final CancelEvents.Subscription subscription;

    private CancelkitEventMeters(MeterRegistry registry) {
        this.registry = registry;
        this.deadlines = Counter.builder("cancelkit.process.deadlines.fired")
                .description("Deadlines that fired, in the whole process").register(registry);
        this.abandoned = Counter.builder("cancelkit.process.tasks.abandoned")
                .description("Tasks a bounded close left running, in the whole process").register(registry);
        this.subscription = CancelEvents.register(this::count);
    }

    /**
     * Registers the meters in {@code registry} and starts counting.
     *
     * @param registry where to count
     * @return the running meters; close them to stop counting
     */
    public static CancelkitEventMeters register(MeterRegistry registry) {
        return new CancelkitEventMeters(Objects.requireNonNull(registry, "registry"));
    }

    private void count(CancelEvent e) {
        switch (e) {
            case CancelEvent.DeadlineFired d -> deadlines.increment();
            case CancelEvent.TokenCancelled c when !c.hardening() -> Counter.builder("cancelkit.process.cancels")
                    .description("Cancels that took effect, in the whole process")
                    .tag("reason", lower(c.kind().name())).tag("phase", c.hard() ? "hard" : "soft")
                    .register(registry).increment();
            case CancelEvent.ShieldLeft s -> Counter.builder("cancelkit.process.shields")
                    .description("Shielded cleanups that ended, in the whole process")
                    .tag("outcome", s.overBudget() ? "over_budget" : "within_budget").register(registry).increment();
            case CancelEvent.TaskEnded t -> Counter.builder("cancelkit.process.tasks")
                    .description("Tasks of any group that ended, in the whole process")
                    .tag("outcome", lower(t.outcome().name())).register(registry).increment();
            case CancelEvent.TaskAbandoned t -> abandoned.increment();
            default -> { } // not counted here
        }
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** Stops counting; the meters stay registered. */
    @Override
    public void close() {
        subscription.close();
    }
}
