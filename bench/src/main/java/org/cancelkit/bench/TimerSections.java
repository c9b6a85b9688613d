package org.cancelkit.bench;

import java.util.Map;

/**
 * The sections of {@code RESULTS.md} on the timer thread: how late 10,000 timeouts fire and unwind
 * (section 5), whether a large expiry delays unrelated deadlines (5g), and what an idle timer with one
 * deadline armed costs (section 6).
 */
final class TimerSections {
    private TimerSections() {}

    // ------------------------------------------------------------------ 5

    static void lateness(Report r) {
        r.line("## 5. 10,000 concurrent 100 ms timeouts");
        r.line("");
        r.line("`TimerLateness` (its own JVM; 1 warm-up round, then the measured rounds, contenders alternating "
                + "order). **Firing**: 10,000 `CancellationSource.create().child(100 ms)` tokens, each with an "
                + "`onCancel` callback that records when it runs, minus the token's deadline; reference: a bare "
                + "`ScheduledThreadPoolExecutor(1)` running 10,000 tasks scheduled at 100 ms (due time read just "
                + "after `schedule` returned, so its lateness is if anything understated). **Unwind**: 10,000 "
                + "virtual threads each in `Timeout.call(100 ms, () -> Thread.sleep(60_000))`, from the timeout's "
                + "deadline to the moment `Timeout.call` has thrown `DeadlineExceededException` in that thread; "
                + "reference: 10,000 virtual threads in `Thread.sleep(100 ms)`, their wake-up lateness. Context, not "
                + "judged: the same 10,000 tokens each awaited by a virtual thread in `awaitCancellation()` (a listener "
                + "the timer runs inline, where an `onCancel` callback is handed to one of cancelkit's offload threads). "
                + "**The peers**, from each one's deadline to the moment its caller sees the timeout (to compare with "
                + "cancelkit's unwind, whose body must also be interrupted and unwound first; ratio column: p99 over "
                + "the bare executor's): 10,000 `new CompletableFuture<>().orTimeout(100 ms)` with a `whenComplete`; "
                + "10,000 kotlinx coroutines on `Dispatchers.Default` in `withTimeout(100 ms) { delay(60 s) }`; 10,000 "
                + "virtual threads each in `executor.submit(sleep 60 s).get(100 ms)`. "
                + "Percentiles over all samples of all measured rounds (nearest rank).");
        r.line("");
        Map<String, String> p = r.program("lateness");
        if (!r.ran("lateness") || p.isEmpty()) {
            r.line(r.ran("lateness") ? "_The program produced nothing._\n" : "_Not run in this invocation._\n");
            r.notMeasured("5a", "firing p99 lateness vs bare executor", "≤ 2x", "not run");
            r.notMeasured("5b", "unwind p99 vs plain sleep wake-up", "≤ 3x", "not run");
            return;
        }
        if (p.containsKey("error")) {
            r.line("**" + p.get("error") + "**\n");
        }
        r.line("| lateness (ms) | samples | p50 | p99 | max | p99 / executor's p99 |");
        r.line("|---|---|---|---|---|---|");
        latenessRow(r, p, "firing: cancelkit `onCancel`", "firing.cancelkit");
        latenessRow(r, p, "firing: `ScheduledThreadPoolExecutor(1)` (reference)", "firing.executor");
        latenessRow(r, p, "firing, context: a virtual thread in `awaitCancellation()` wakes", "firing.await");
        latenessRow(r, p, "unwind: `Timeout.call` body unwound", "unwind.cancelkit");
        latenessRow(r, p, "unwind: plain `Thread.sleep` wake-up (reference)", "unwind.sleep");
        latenessRow(r, p, "peer, caller sees it: `orTimeout` completes", "caller.orTimeout");
        latenessRow(r, p, "peer, caller sees it: kotlinx `withTimeout` throws", "caller.kotlinx");
        latenessRow(r, p, "peer, caller sees it: virtual-thread `Future.get` throws", "caller.futureGet");
        r.line("");
        r.line("Per round: " + p.getOrDefault("perRound", "?"));
        r.line("");
        latenessVerdict(r, p, "5a", "firing p99 lateness vs bare executor", "firing.cancelkit", "firing.executor", 2);
        latenessVerdict(r, p, "5b", "unwind p99 vs plain sleep wake-up", "unwind.cancelkit", "unwind.sleep", 3);
    }

    private static void latenessRow(Report r, Map<String, String> p, String label, String key) {
        String p99 = p.get(key + ".p99");
        String executor = p.get("firing.executor.p99");
        String ratio = p99 == null || executor == null ? "?"
                : String.format("%.2fx", Double.parseDouble(p99) / Double.parseDouble(executor));
        r.line("| " + label + " | " + p.getOrDefault(key + ".n", "?") + " | " + p.getOrDefault(key + ".p50", "?")
                + " | " + (p99 == null ? "?" : p99) + " | " + p.getOrDefault(key + ".max", "?") + " | " + ratio + " |");
    }

    private static void latenessVerdict(Report r, Map<String, String> p, String n, String what, String key,
                                        String reference, double target) {
        String a = p.get(key + ".p99");
        String b = p.get(reference + ".p99");
        if (a == null || b == null) {
            r.notMeasured(n, what, "≤ " + (int) target + "x", "no figure");
            return;
        }
        double ratio = Double.parseDouble(a) / Double.parseDouble(b);
        r.verdict(n, what, "≤ " + (int) target + "x", String.format("%.2fx (%s ms vs %s ms)", ratio, a, b),
                ratio <= target);
    }

    // ------------------------------------------------------------------ 5g

    static void isolation(Report r) {
        r.line("## 5g. Unrelated deadlines while a large subtree expires");
        r.line("");
        r.line("`TimerIsolation` (its own JVM; run with the lateness section; one warm-up pair of rounds, then the "
                + "measured pairs, the order inside a pair alternating). Each round builds one token with 1,000,000 "
                + "children, then arms 1,000 unrelated tokens `CancellationSource.create().child(d)`, deadlines spread "
                + "evenly over the 50 ms after a moment 2 s from the round's start, each with an `onCancel` callback "
                + "that records when it runs, minus the token's deadline. **Quiet**: the big token's deadline is an "
                + "hour away. **Expiring**: it is that moment, so its deadline cancels the 1,000,000-token subtree "
                + "just as the unrelated deadlines come due (a walk of about 1,000,000 times the per-token cost of section 4a). A timer that walked "
                + "the subtree itself would hold every unrelated deadline behind the walk; cancelkit's timer hands "
                + "a walk of more than one node to an offload thread (C11). Context: the same deadlines each awaited by "
                + "a virtual thread in `awaitCancellation()`. Percentiles over all samples of all measured rounds.");
        r.line("");
        Map<String, String> p = r.program("isolation");
        if (!r.ran("lateness") || p.isEmpty()) {
            r.line(r.ran("lateness") ? "_The program produced nothing._\n" : "_Not run in this invocation._\n");
            return;
        }
        if (p.containsKey("error")) {
            r.line("**" + p.get("error") + "**\n");
        }
        r.line("| unrelated deadline's lateness (ms) | samples | p50 | p99 | max |");
        r.line("|---|---|---|---|---|");
        isolationRow(r, p, "`onCancel`, quiet", "quiet.onCancel");
        isolationRow(r, p, "`onCancel`, while the 1,000,000-token subtree expires", "expiring.onCancel");
        isolationRow(r, p, "context: `awaitCancellation()` wakes, quiet", "quiet.await");
        isolationRow(r, p, "context: `awaitCancellation()` wakes, while the subtree expires", "expiring.await");
        r.line("");
        r.line("Per round: " + p.getOrDefault("perRound", "?"));
        r.line("");
    }

    private static void isolationRow(Report r, Map<String, String> p, String label, String key) {
        r.line("| " + label + " | " + p.getOrDefault(key + ".n", "?") + " | " + p.getOrDefault(key + ".p50", "?")
                + " | " + p.getOrDefault(key + ".p99", "?") + " | " + p.getOrDefault(key + ".max", "?") + " |");
    }

    // ------------------------------------------------------------------ 6

    static void idle(Report r) {
        r.line("## 6. An idle timer");
        r.line("");
        r.line("`IdleTimerCpu` (its own JVM): one idle window with no deadline armed (the timer thread does not "
                + "exist yet), then one token with a one-hour deadline is armed and the JVM idles again. CPU time over "
                + "each window: the whole process (`OperatingSystemMXBean.getProcessCpuTime`, which on Linux counts "
                + "in 10 ms clock ticks: context only), and in the armed window the `cancelkit-timer` thread alone "
                + "(`ThreadMXBean`, exact), as % of one core; wake-ups are that thread's context switches from "
                + "`/proc/self/task`. The verdict uses the timer thread.");
        r.line("");
        Map<String, String> p = r.program("idle");
        if (!r.ran("idle") || p.isEmpty()) {
            r.line(r.ran("idle") ? "_The program produced nothing._\n" : "_Not run in this invocation._\n");
            r.notMeasured("6", "idle timer, one 1 h deadline armed", "≤ 1% of a core", "not run");
            return;
        }
        if (p.containsKey("error")) {
            r.line("**" + p.get("error") + "**\n");
        }
        r.line("| window (" + p.getOrDefault("seconds", "?") + " s) | % of one core |");
        r.line("|---|---|");
        r.line("| whole process, nothing armed (baseline) | " + p.getOrDefault("baseline.processPct", "?") + " |");
        r.line("| whole process, one 1 h deadline armed | " + p.getOrDefault("armed.processPct", "?") + " |");
        r.line("| `cancelkit-timer` thread, one 1 h deadline armed | " + p.getOrDefault("armed.timerPct", "?")
                + " (" + p.getOrDefault("armed.timerCpuMs", "?") + " ms CPU; "
                + p.getOrDefault("armed.timerWakeupsPerSecond", "?") + " wake-ups/s) |");
        r.line("");
        String timer = p.get("armed.timerPct");
        if (timer == null) {
            r.notMeasured("6", "idle timer, one 1 h deadline armed", "≤ 1% of a core", "no figure");
        } else {
            r.verdict("6", "idle timer, one 1 h deadline armed (timer thread CPU)", "≤ 1% of a core",
                    timer + "% (" + p.getOrDefault("armed.timerWakeupsPerSecond", "?") + " wake-ups/s; process "
                            + p.getOrDefault("armed.processPct", "?") + "% vs " + p.getOrDefault("baseline.processPct", "?")
                            + "% unarmed)", Double.parseDouble(timer) <= 1.0);
        }
    }
}
