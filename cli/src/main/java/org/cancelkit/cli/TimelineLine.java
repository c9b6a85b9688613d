package org.cancelkit.cli;

import java.util.ArrayList;
import java.util.List;
import org.cancelkit.CancelEvent;
import org.cancelkit.CancelEvents;
import org.cancelkit.lifecycle.LifecycleEvent;

/**
 * The tour's compact timeline: what cancelkit's event hook reported while a scenario ran, one line, in
 * order, with the time since the scenario started ({@code +12ms deadline · +12ms hard cancel DEADLINE ·
 * +13ms interrupt main}). The same events the playground draws.
 *
 * <p>Thread-safe: events arrive on any thread.
 */
final class TimelineLine implements AutoCloseable {
    private static final int MAX = 14;
    private final long start = System.nanoTime();
    private final List<String> entries = new ArrayList<>();
    private int dropped;
    private final CancelEvents.Subscription subscription;

    private TimelineLine() {
        subscription = CancelEvents.register(this::add);
    }

    static TimelineLine start() {
        return new TimelineLine();
    }

    private void add(CancelEvent e) {
        String what = switch (e) {
            case CancelEvent.DeadlineFired d -> "deadline";
            case CancelEvent.TokenCancelled c -> (c.hardening() ? "turned hard " : c.hard() ? "hard cancel " : "soft cancel ")
                    + c.kind();
            case CancelEvent.InterruptDelivered i -> "interrupt " + i.thread();
            case CancelEvent.ShieldEntered s -> "shield[";
            case CancelEvent.ShieldLeft s -> "]shield" + (s.overBudget() ? " over budget" : "");
            case CancelEvent.CancelActionRan a -> a.escalation() ? "escalation" : "cancel action";
            case CancelEvent.TaskEnded t -> t.task() + " " + t.outcome();
            case CancelEvent.TaskAbandoned t -> t.task() + " ABANDONED";
            case CancelEvent.BulkheadRejected b -> b.bulkhead() + " rejected";
            case LifecycleEvent.ShutdownPhase p -> (p.hard() ? "hard " : "soft ") + p.worker();
            case LifecycleEvent.WorkerEnded w -> w.report().path() + " " + w.report().outcome();
            default -> e.name().substring(e.name().lastIndexOf('.') + 1);
        };
        String entry = "+" + (System.nanoTime() - start) / 1_000_000 + "ms " + what;
        synchronized (entries) {
            if (entries.size() < MAX) {
                entries.add(entry);
            } else {
                dropped++;
            }
        }
    }

    /** The line: the first events in order, and how many more there were. */
    String line() {
        synchronized (entries) {
            if (entries.isEmpty()) {
                return "(no cancellation events)";
            }
            return String.join(" · ", entries) + (dropped > 0 ? " · … " + dropped + " more" : "");
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
