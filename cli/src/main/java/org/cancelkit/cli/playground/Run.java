package org.cancelkit.cli.playground;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.cancelkit.CancelEvent;
import org.cancelkit.lifecycle.LifecycleEvent;

/**
 * One run of a {@link Lab}: turns what the library emitted ({@link CancelEvent}s from the hook) and what
 * the scenario says (lanes, its own marks, its token tree, its checks) into a stream of JSON messages
 * for the page. A library event goes to the lane its subject names (the interrupted thread, the task,
 * the worker) or else the lane of the thread that emitted it, or else the scenario's main lane.
 *
 * <p>Thread-safe: events arrive on any thread; {@link #send} is serialised by the sink.
 */
final class Run {
    private final Consumer<String> sink;
    private final long start = System.nanoTime();
    private final Set<String> lanes = ConcurrentHashMap.newKeySet();
    private final List<String> checksFailed = new ArrayList<>();
    private volatile String mainLane = "main";

    Run(Consumer<String> sink) {
        this.sink = sink;
    }

    /** Declares a lane (a task, worker or thread); the first one is the main lane. */
    void lane(String name) {
        if (lanes.isEmpty()) {
            mainLane = name;
        }
        if (lanes.add(name)) {
            send("{\"type\":\"lane\",\"lane\":" + Json.str(name) + "}");
        }
    }

    /** A mark on {@code lane}: one of start, deadline, soft-cancel, hard-cancel, interrupt, shield-begin, shield-end, action, commit, rollback, exit, abandoned, rejected. */
    void mark(String lane, String kind, String label) {
        lane(lane);
        send("{\"type\":\"mark\",\"t\":" + millis() + ",\"lane\":" + Json.str(lane) + ",\"kind\":" + Json.str(kind)
                + ",\"label\":" + Json.str(label) + "}");
    }

    /** A node of the token tree, or a new state of one. */
    void token(String id, String parent, String state, String reason) {
        send("{\"type\":\"token\",\"id\":" + Json.str(id) + ",\"parent\":" + Json.str(parent) + ",\"state\":"
                + Json.str(state) + ",\"reason\":" + Json.str(reason) + "}");
    }

    /** A line of narration. */
    void say(String text) {
        send("{\"type\":\"say\",\"t\":" + millis() + ",\"text\":" + Json.str(text) + "}");
    }

    /** A check of the scenario: pass or fail. */
    boolean check(String claim, boolean ok) {
        if (!ok) {
            synchronized (checksFailed) {
                checksFailed.add(claim);
            }
        }
        send("{\"type\":\"check\",\"claim\":" + Json.str(claim) + ",\"ok\":" + ok + "}");
        return ok;
    }

    int failedChecks() {
        synchronized (checksFailed) {
            return checksFailed.size();
        }
    }

    /** What the library emitted, as marks. */
    void onEvent(CancelEvent e) {
        String here = Thread.currentThread().getName();
        String lane = laneOf(here, mainLane);
        switch (e) {
            case CancelEvent.DeadlineFired d -> mark(lane, "deadline", "deadline fired, " + d.latenessNanos() / 1000 + " µs late");
            case CancelEvent.TokenCancelled c -> mark(lane, c.hard() ? "hard-cancel" : "soft-cancel", c.hardening()
                    ? "the soft cancel turned hard (" + c.kind() + ")"
                    : c.kind() + ": " + c.message() + " (" + c.subtreeSize() + " token" + (c.subtreeSize() == 1 ? "" : "s") + ")");
            case CancelEvent.InterruptDelivered i -> mark(laneOf(i.thread(), lane), "interrupt",
                    "interrupt delivered (" + i.kind() + ")");
            case CancelEvent.ShieldEntered s -> mark(lane, "shield-begin", "shield, budget " + s.budget().toMillis() + " ms");
            case CancelEvent.ShieldLeft s -> mark(lane, "shield-end", "shield left after " + s.elapsedNanos() / 1_000_000
                    + " ms" + (s.overBudget() ? ", over budget" : ""));
            case CancelEvent.CancelActionRan a -> mark(lane, "action", a.escalation() ? "escalation ran" : "cancel action ran");
            case CancelEvent.TaskEnded t -> mark(t.task(), "exit", t.outcome().name());
            case CancelEvent.TaskAbandoned t -> mark(t.task(), "abandoned", "abandoned after " + t.runningNanos() / 1_000_000 + " ms");
            case CancelEvent.BulkheadRejected b -> mark(lane, "rejected", b.bulkhead() + " rejected: " + b.why());
            case LifecycleEvent.ShutdownPhase p -> mark(p.worker(), p.hard() ? "hard-cancel" : "soft-cancel",
                    p.hard() ? "hard cancel" : "soft cancel, grace " + p.grace().toMillis() + " ms");
            case LifecycleEvent.WorkerEnded w -> mark(w.report().path(), "exit", w.report().outcome().name());
            default -> { } // events of other modules: not drawn
        }
    }

    /** The lane a thread's name names: the lane itself, or the longest lane its name contains. */
    private String laneOf(String thread, String otherwise) {
        String best = null;
        for (String l : lanes) {
            if (thread.equals(l)) {
                return l;
            }
            if (thread.contains(l) && (best == null || l.length() > best.length())) {
                best = l;
            }
        }
        return best != null ? best : otherwise;
    }

    /** The message after the last one: the stream ends. */
    static final String END = "";

    /** Sends the end of the run. */
    void done() {
        send("{\"type\":\"done\",\"t\":" + millis() + ",\"failed\":" + failedChecks() + "}");
        send(END);
    }

    private String millis() {
        return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e6);
    }

    private void send(String json) {
        sink.accept(json);
    }

    /** Minimal JSON for the messages above. */
    static final class Json {
        private Json() {}

        static String str(String s) {
            StringBuilder b = new StringBuilder("\"");
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            return b.append('"').toString();
        }

        static String params(Map<String, Long> values) {
            StringBuilder b = new StringBuilder("{");
            values.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(str(k)).append(':').append(v));
            return b.append('}').toString();
        }
    }
}
