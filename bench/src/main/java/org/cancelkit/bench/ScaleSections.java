package org.cancelkit.bench;

import java.util.Map;

/** The sections of {@code RESULTS.md} for the herd by body, the scaling table and the group cancelled by its deadline. */
final class ScaleSections {
    private ScaleSections() {}

    private static final String[][] HERD_ROWS = {
        {"sleep", "`Timeout.call` around `Thread.sleep(60 s)`", "5c"},
        {"take", "`Timeout.call` around `BlockingQueue.take()`", "5d"},
        {"cancellationSleep", "`Timeout.call` around `Cancellation.sleep(60 s)`", "5e"},
        {"reference", "plain `Thread.sleep(100 ms)` wake-up (reference)", null},
        {"interruptFloor", "context, no cancelkit: one thread interrupts 10,000 `Thread.sleep(60 s)` at the deadline", null},
    };

    static void herd(Report r) {
        r.line("## 5c–5e. The herd's unwind, by what the body blocks in");
        r.line("");
        r.line("`HerdUnwind` (its own JVM; 1 warm-up round, then the measured rounds, the five contenders' order "
                + "rotating): 10,000 virtual threads each in `Timeout.call(100 ms, body)`, all armed together; lateness = "
                + "the moment `Timeout.call` has thrown `DeadlineExceededException` in that thread minus the timeout's "
                + "deadline. Reference in the same rounds: 10,000 virtual threads in `Thread.sleep(100 ms)`, their "
                + "wake-up lateness. The last column is the CPU that cancelkit's own platform threads (timer and its "
                + "helpers, redelivery watcher, offload pool) spent per round: context. The last row is the floor of any "
                + "interrupt-based unwind, measured without cancelkit: one platform thread interrupts 10,000 virtual "
                + "threads in `Thread.sleep` at the deadline, lateness to each `InterruptedException` (an interrupt per "
                + "thread and the JDK's exception with its stack trace, which a body in `Thread.sleep` cannot avoid).");
        r.line("");
        Map<String, String> p = r.program("herd");
        if (!r.ran("herd") || p.isEmpty()) {
            r.line(r.ran("herd") ? "_The program produced nothing._\n" : "_Not run in this invocation._\n");
            for (String[] row : HERD_ROWS) {
                if (row[2] != null) {
                    r.notMeasured(row[2], "herd unwind p99 vs plain sleep wake-up, " + row[1], "≤ 3x", "not run");
                }
            }
            return;
        }
        String ref = p.get("herd.10000.reference.p99");
        r.line("| body | samples | p50 (ms) | p99 (ms) | max (ms) | p99 / reference's p99 | cancelkit threads' CPU per round |");
        r.line("|---|---|---|---|---|---|---|");
        for (String[] row : HERD_ROWS) {
            String k = "herd.10000." + row[0];
            String p99 = p.get(k + ".p99");
            String ratio = p99 == null || ref == null ? "?"
                    : String.format("%.2fx", Double.parseDouble(p99) / Double.parseDouble(ref));
            r.line("| " + row[1] + " | " + p.getOrDefault(k + ".n", "?") + " | " + p.getOrDefault(k + ".p50", "?")
                    + " | " + (p99 == null ? "?" : p99) + " | " + p.getOrDefault(k + ".max", "?") + " | " + ratio
                    + " | " + p.getOrDefault(k + ".helperCpuPerRound", "?") + " |");
        }
        r.line("");
        r.line("Per round (each contender's p99 in that round, and its ratio to the reference's p99 in the same round; "
                + "the verdicts above use the p99 pooled over all rounds, so one bad round of the reference or of a "
                + "contender moves them): " + p.getOrDefault("herd.10000.perRound", "?"));
        r.line("");
        for (String[] row : HERD_ROWS) {
            if (row[2] == null) {
                continue;
            }
            String p99 = p.get("herd.10000." + row[0] + ".p99");
            String what = "herd unwind p99 vs plain sleep wake-up, " + row[1];
            if (p99 == null || ref == null) {
                r.notMeasured(row[2], what, "≤ 3x", "no figure");
                continue;
            }
            double ratio = Double.parseDouble(p99) / Double.parseDouble(ref);
            r.verdict(row[2], what, "≤ 3x", String.format("%.2fx (%s ms vs %s ms)", ratio, p99, ref), ratio <= 3);
        }
    }

    static void depth(Report r) {
        r.line("## 4d. Creating a child at any depth");
        r.line("");
        r.line("`ChildDepthBench`: a child with its own 1 h deadline (later than the inherited 30 min one), asked for "
                + "its `remaining()` and closed, under a parent at depth 1 and under one at the end of a 100,000-token "
                + "chain (built once per trial). The reference is the same operation at depth 1: a ratio of 1.0 means "
                + "depth costs nothing (C10).");
        r.line("");
        if (!r.ran("tree")) {
            r.line("_Not run in this invocation._\n");
            r.notMeasured("4d", "child creation at depth 100,000 vs depth 1", "≤ 1.2x", "not run");
            return;
        }
        Sections.header(r);
        r.jmhRow("depth 1 (reference)", "ChildDepthBench.childWithDeadline:1", null);
        r.jmhRow("**depth 100,000**", "ChildDepthBench.childWithDeadline:100000", "ChildDepthBench.childWithDeadline:1");
        r.line("");
        Report.Score deep = r.score("ChildDepthBench.childWithDeadline:100000");
        Report.Score shallow = r.score("ChildDepthBench.childWithDeadline:1");
        if (deep == null || shallow == null) {
            r.notMeasured("4d", "child creation at depth 100,000 vs depth 1", "≤ 1.2x", "no figure");
            return;
        }
        Report.Ratio ratio = Report.Ratio.of(deep, shallow);
        r.verdict("4d", "child creation at depth 100,000 vs depth 1", "≤ 1.2x", ratio + " (" + Report.fmt(deep.value())
                + " vs " + Report.fmt(shallow.value()) + " " + deep.unit() + ")", ratio.value() <= 1.2);
    }

    static void scaling(Report r) {
        r.line("## 5f. Scaling with the number of concurrent timeouts");
        r.line("");
        r.line("`Scaling` (its own JVM; one warm-up pass at 10,000, then each size once). **Arm**: `n` tokens "
                + "`root.child(200 ms)` with an `onCancel` callback, ns per token. **Fire**: from the earliest deadline "
                + "until the last callback has run, in all and per token. **Unwind**: `n` virtual threads in "
                + "`Timeout.call(100 ms, () -> Thread.sleep(60 s))`, p99 unwind lateness beside `n` plain "
                + "`Thread.sleep(100 ms)` wake-ups (up to 100,000: beyond, the blocked threads alone would not fit the "
                + "1 GiB heap). Per-operation cost at 1 and 2 threads is section 2's `Timeout.call` rows. Flat "
                + "per-token columns mean linear growth.");
        r.line("");
        Map<String, String> p = r.program("scaling");
        if (!r.ran("scaling") || p.isEmpty()) {
            r.line(r.ran("scaling") ? "_The program produced nothing._\n" : "_Not run in this invocation._\n");
            return;
        }
        r.line("| concurrent timeouts | arm (ns/token) | fire, all (ms) | fire (ns/token) | unwind p99 (ms) | plain sleep p99 (ms) |");
        r.line("|---|---|---|---|---|---|");
        for (int n : Scaling.SIZES) {
            String k = "scale." + n + ".";
            r.line(String.format("| %,d | %s | %s | %s | %s | %s |", n, p.getOrDefault(k + "armNsPerToken", "?"),
                    p.getOrDefault(k + "fireMs", "?"), p.getOrDefault(k + "fireNsPerToken", "?"),
                    p.getOrDefault(k + "unwindP99", "not run"), p.getOrDefault(k + "sleepP99", "not run")));
        }
        r.line("");
    }

    static void groupDeadline(Report r) {
        r.line("## 10f. A group of 10,000 forks cancelled by its deadline, beside the peers");
        r.line("");
        Map<String, String> p = r.program("groupDeadline");
        r.line("`GroupDeadline` (its own JVM; all three in one run, 1 warm-up round, then " + p.getOrDefault("rounds", "the")
                + " measured rounds, the order "
                + "rotating): from the deadline until every fork's body has ended (each records the time in a "
                + "`finally`; the figure is the latest). cancelkit: `Timeout.run(1 s)` around a `TaskGroup` "
                + "(`supervise()`) of 10,000 forks in `Thread.sleep(60 s)`, joined; kotlinx: `withTimeout(1 s) { "
                + "repeat(10_000) { launch { delay(60 s) } } }` on `Dispatchers.Default`; `StructuredTaskScope.open("
                + "Joiner.awaitAll(), cf -> cf.withTimeout(1 s))` (preview), 10,000 forks in `Thread.sleep(60 s)`.");
        r.line("");
        String what = "10,000-fork group cancelled by its deadline: every fork ended (max) vs kotlinx's median";
        if (!r.ran("group") || p.isEmpty()) {
            r.line(r.ran("group") ? "_The program produced nothing._\n" : "_Not run in this invocation._\n");
            r.notMeasured("10f", what, "≤ 1.0x", "not run");
            return;
        }
        r.line("| contender | median (ms) | max (ms) |");
        r.line("|---|---|---|");
        for (String c : new String[] {"cancelkit", "kotlinx", "structuredTaskScope"}) { // GroupDeadline uses a preview API: not loaded here
            r.line("| " + c + " | " + p.getOrDefault(c + ".median", "?") + " | " + p.getOrDefault(c + ".max", "?") + " |");
        }
        r.line("");
        String ck = p.get("cancelkit.max");
        String kx = p.get("kotlinx.median");
        if (ck == null || kx == null) {
            r.notMeasured("10f", what, "≤ 1.0x", "no figure");
            return;
        }
        double ratio = Double.parseDouble(ck) / Double.parseDouble(kx);
        r.verdict("10f", what, "≤ 1.0x", String.format("%.2fx (%s ms vs %s ms; cancelkit median %s ms)", ratio, ck, kx,
                p.getOrDefault("cancelkit.median", "?")), ratio <= 1.0);
    }
}
