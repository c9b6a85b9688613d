package org.cancelkit.bench;

/** The section of {@code RESULTS.md} on what cancelkit's events cost: JFR off vs a recording running. */
final class JfrSection {
    private JfrSection() {}

    static void render(Report r) {
        r.line("## Events: arm and disarm with Flight Recorder off vs a recording of cancelkit's events");
        r.line("");
        r.line("`JfrCostBench`: `Timeout.call(1 s, op)` around an operation that returns at once, 1 thread, in the "
                + "same run: with no recording (reference), with a recording started from the shipped "
                + "`cancelkit.jfc` (every cancelkit event enabled), and with one no-op `CancelEvents` listener. "
                + "Each in its own JVM. A timeout that does not fire emits no event (closing a scope is not a "
                + "cancel), so this is the cost of the enabled checks on the hot path.");
        r.line("");
        if (!r.ran("jfr")) {
            r.line("_Not run in this invocation._\n");
            r.notMeasured("E1", "`Timeout.call` with a cancelkit recording vs none", "≤ 1.1x", "not run");
            return;
        }
        Sections.header(r);
        r.jmhRow("**no recording** (reference)", "JfrCostBench.timeoutCallNoRecording", null);
        r.jmhRow("**recording cancelkit's events**", "JfrCostBench.timeoutCallRecording",
                "JfrCostBench.timeoutCallNoRecording");
        r.jmhRow("one `CancelEvents` listener", "JfrCostBench.timeoutCallListener",
                "JfrCostBench.timeoutCallNoRecording");
        r.line("");
        Sections.ratioVerdict(r, "E1", "`Timeout.call` with a cancelkit recording vs none",
                "JfrCostBench.timeoutCallRecording", "JfrCostBench.timeoutCallNoRecording", 1.1);
    }
}
