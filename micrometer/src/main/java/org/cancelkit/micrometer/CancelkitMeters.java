package org.cancelkit.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.cancelkit.CancelReason;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.CheckedCallable;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Registration;
import org.cancelkit.TaskReport;
import org.cancelkit.TaskResult;
import org.cancelkit.Timeout;

/**
 * Records cancelkit's events as Micrometer meters. The core has no event bus: these meters come from
 * what the public API shows — a timeout run through {@link #timeout}, a token {@linkplain #watch
 * watched} for its cancel, a task group's {@link TaskReport}, a shutdown's outcome — and, for
 * bulkheads and jobs, from {@link BulkheadMetrics} and {@link JobMetrics}.
 *
 * {@snippet :
 * CancelkitMeters meters = CancelkitMeters.of(registry);
 * Profile p = meters.timeout("profile", Duration.ofSeconds(2), () -> client.profile(id));
 * try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
 *     ...
 *     meters.record("page", group.join());
 * }
 * }
 *
 * <h2>Meters</h2>
 * Names follow Micrometer's conventions (dot-separated, lower case, base units: a timer is in
 * seconds once exported; a registry adds {@code _total}, {@code _seconds} as its format wants).
 * <table class="striped">
 *   <caption>cancelkit's meters</caption>
 *   <thead><tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code cancelkit.timeouts}</td><td>timer</td><td>{@code name}, {@code outcome}:
 *         completed, fired, cancelled, failed</td><td>calls through {@link #timeout}; {@code fired}: its
 *         own deadline stopped the body</td></tr>
 *     <tr><td>{@code cancelkit.cancels}</td><td>counter</td><td>{@code scope}, {@code reason}: requested,
 *         deadline, shutdown, sibling_failed, closed</td><td>watched tokens cancelled, by the kind of
 *         their reason</td></tr>
 *     <tr><td>{@code cancelkit.tasks}</td><td>timer</td><td>{@code group}, {@code outcome}: completed,
 *         failed, cancelled_before_start, cancelled_while_running, completed_after_cancel,
 *         abandoned</td><td>task group tasks, from {@link #record(String, TaskReport)}</td></tr>
 *     <tr><td>{@code cancelkit.tasks.abandoned}</td><td>counter</td><td>{@code group}</td><td>tasks a
 *         bounded close left running</td></tr>
 *     <tr><td>{@code cancelkit.shutdown}</td><td>timer</td><td>{@code component}, {@code outcome}:
 *         clean, forced, failed</td><td>shutdowns and how long they took</td></tr>
 *     <tr><td>{@code cancelkit.shutdown.stopped}</td><td>counter</td><td>{@code component},
 *         {@code outcome}</td><td>what a shutdown stopped, by how it ended</td></tr>
 *     <tr><td>{@code cancelkit.bulkhead.*}</td><td>gauges, counters</td><td>{@code name}</td><td>see
 *         {@link BulkheadMetrics}</td></tr>
 *     <tr><td>{@code cancelkit.job.*}</td><td>gauges, counters, timer</td><td>{@code job}</td><td>see
 *         {@link JobMetrics}</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>Tag values that users give (a timeout's name, a scope, a group) must be short fixed names:
 * an id or a URL is refused with an {@link IllegalArgumentException}, since it would make one time
 * series per value. Thread-safe.
 */
public final class CancelkitMeters {
    private final MeterRegistry registry;

    private CancelkitMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Returns meters recorded in {@code registry}.
     *
     * @param registry where to record
     * @return the meters
     */
    public static CancelkitMeters of(MeterRegistry registry) {
        return new CancelkitMeters(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * Returns the registry the meters are recorded in.
     *
     * @return the registry
     */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Runs {@link Timeout#call(Duration, CheckedCallable)} and records its outcome and duration in
     * {@code cancelkit.timeouts}.
     *
     * @param name the timeout's name: a fixed, low-cardinality name
     * @param timeout how long the body may run
     * @param body the work
     * @param <T> its value
     * @param <X> the checked exception it may throw
     * @return what the body returned
     * @throws DeadlineExceededException when the timeout fired (recorded as {@code fired})
     * @throws CancelledException when an outer cancel stopped it (recorded as {@code cancelled})
     * @throws X what the body threw (recorded as {@code failed})
     * @throws InterruptedException when the thread was interrupted by someone other than cancelkit
     */
    public <T, X extends Exception> T timeout(String name, Duration timeout, CheckedCallable<T, X> body)
            throws X, InterruptedException {
        String n = TagValues.name("name", name);
        long start = registry.config().clock().monotonicTime();
        String outcome = "failed";
        try {
            T value = Timeout.call(timeout, body);
            outcome = "completed";
            return value;
        } catch (DeadlineExceededException e) {
            outcome = "fired";
            throw e;
        } catch (CancelledException e) {
            outcome = "cancelled";
            throw e;
        } finally {
            Timer.builder("cancelkit.timeouts").description("calls run under a cancelkit timeout")
                    .tags("name", n, "outcome", outcome).register(registry)
                    .record(Duration.ofNanos(registry.config().clock().monotonicTime() - start));
        }
    }

    /**
     * Counts {@code token}'s cancel in {@code cancelkit.cancels}, by the kind of its reason. Close the
     * registration when the work under the token has ended, before its owner closes it, so that the
     * close is not counted as a cancel.
     *
     * @param token the token to watch
     * @param scope what the token stands for (a fixed name such as {@code http.server})
     * @return the registration
     */
    public Registration watch(CancellationToken token, String scope) {
        Objects.requireNonNull(token, "token");
        String s = TagValues.name("scope", scope);
        return token.onCancel(() -> cancelled(s, token.reason().map(CancelReason::kind).orElse(CancelReason.Kind.REQUESTED)));
    }

    /**
     * Registers the {@code cancelkit.cancels} counters of {@code scope} ahead, one per kind of reason,
     * at zero: a dashboard shows them before the first cancel, and a registry that publishes when it is
     * closed has them all (Spring Boot closes its registries as soon as the application starts
     * closing, before its graceful shutdown: what happens after is counted, but a push registry has
     * already sent its last batch).
     *
     * @param scope what the watched tokens stand for (a fixed name)
     */
    public void declareCancels(String scope) {
        for (CancelReason.Kind kind : CancelReason.Kind.values()) {
            cancelCounter(TagValues.name("scope", scope), kind);
        }
    }

    /**
     * Registers the {@code cancelkit.shutdown} and {@code cancelkit.shutdown.stopped} meters of
     * {@code component} ahead, at zero; see {@link #declareCancels}.
     *
     * @param component what shuts down (a fixed name)
     * @param outcomes the shutdown outcomes to declare
     * @param stopped the ways things end in a shutdown, to declare
     */
    public void declareShutdown(String component, java.util.List<String> outcomes, java.util.List<String> stopped) {
        String c = TagValues.name("component", component);
        for (String o : outcomes) {
            shutdownTimer(c, TagValues.name("outcome", o));
        }
        for (String how : stopped) {
            stoppedCounter(c, TagValues.name("stopped outcome", how));
        }
    }

    private Counter cancelCounter(String scope, CancelReason.Kind kind) {
        return Counter.builder("cancelkit.cancels").description("watched tokens cancelled, by the kind of their reason")
                .tags("scope", scope, "reason", TagValues.word(kind)).register(registry);
    }

    private Timer shutdownTimer(String component, String outcome) {
        return Timer.builder("cancelkit.shutdown").description("shutdowns, by outcome")
                .tags("component", component, "outcome", outcome).register(registry);
    }

    private Counter stoppedCounter(String component, String how) {
        return Counter.builder("cancelkit.shutdown.stopped").description("what a shutdown stopped, by how it ended")
                .tags("component", component, "outcome", how).register(registry);
    }

    /**
     * Counts one cancel in {@code cancelkit.cancels}, for integrations that learn of cancels otherwise.
     *
     * @param scope what was cancelled (a fixed name)
     * @param kind the kind of its reason
     */
    public void cancelled(String scope, CancelReason.Kind kind) {
        cancelCounter(TagValues.name("scope", scope), kind).increment();
    }

    /**
     * Records each task of a task group's report in {@code cancelkit.tasks}, and the abandoned ones in
     * {@code cancelkit.tasks.abandoned}.
     *
     * @param group the group's name (a fixed name)
     * @param report what {@code join()} or {@code close(grace)} returned
     */
    public void record(String group, TaskReport report) {
        String g = TagValues.name("group", group);
        Objects.requireNonNull(report, "report");
        long abandoned = 0;
        for (TaskResult t : report.tasks()) {
            Timer.builder("cancelkit.tasks").description("task group tasks, by outcome")
                    .tags("group", g, "outcome", TagValues.word(t.outcome())).register(registry)
                    .record(t.duration());
            if (t.outcome() == org.cancelkit.TaskOutcome.ABANDONED) {
                abandoned++;
            }
        }
        Counter.builder("cancelkit.tasks.abandoned").description("tasks a bounded close left running")
                .tags("group", g).register(registry).increment(abandoned);
    }

    /**
     * Records a shutdown in {@code cancelkit.shutdown} and what it stopped in
     * {@code cancelkit.shutdown.stopped}.
     *
     * @param component what shut down (a fixed name, e.g. {@code http.server})
     * @param took how long the shutdown took
     * @param outcome {@code clean} (everything stopped in its grace), {@code forced} (something was
     *     cancelled hard or abandoned) or {@code failed}
     * @param stopped how many things ended in each way (e.g. {@code in_grace}: 3,
     *     {@code after_hard_cancel}: 1); each key a fixed word
     */
    public void shutdown(String component, Duration took, String outcome, Map<String, Long> stopped) {
        String c = TagValues.name("component", component);
        String o = TagValues.name("outcome", outcome);
        shutdownTimer(c, o).record(took);
        stopped.forEach((how, count) -> stoppedCounter(c, TagValues.name("stopped outcome", how)).increment(count));
    }
}
