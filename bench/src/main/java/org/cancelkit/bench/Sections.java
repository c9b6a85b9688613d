package org.cancelkit.bench;

import java.util.Map;

/** The sections of {@code RESULTS.md}: tables, how each was measured, and each target's verdict. */
final class Sections {
    private Sections() {}

    static void render(Report r) {
        check(r);
        timeout(r);
        size(r);
        tree(r);
        ScaleSections.depth(r);
        TimerSections.lateness(r);
        ScaleSections.herd(r);
        ScaleSections.scaling(r);
        TimerSections.isolation(r);
        TimerSections.idle(r);
        exceptions(r);
        JfrSection.render(r);
        PeerSections.stop(r);
        PeerSections.peers(r);
        PeerSections.io(r);
        PeerSections.groups(r);
        ScaleSections.groupDeadline(r);
        GrpcSections.grpc(r);
        PeerSections.headline(r);
    }

    static void header(Report r) {
        r.line("| benchmark | threads | score ± error | allocation (B/op) | GCs / GC time | ratio to reference |");
        r.line("|---|---|---|---|---|---|");
    }

    static void ratioVerdict(Report r, String number, String what, String name, String reference,
                                     double target) {
        Report.Score a = r.score(name);
        Report.Score b = r.score(reference);
        String targetText = "≤ " + target + "x";
        if (a == null || b == null) {
            r.notMeasured(number, what, targetText, "not run");
            return;
        }
        Report.Ratio ratio = Report.Ratio.of(a, b);
        String figure = ratio + " (" + Report.fmt(a.value()) + " vs " + Report.fmt(b.value()) + " " + a.unit() + ")";
        if (Double.isFinite(ratio.error()) && Math.abs(ratio.value() - target) < ratio.error()) {
            figure += ", within error of the target";
        }
        r.verdict(number, what, targetText, figure, ratio.value() <= target);
    }

    // ------------------------------------------------------------------ 1

    private static void check(Report r) {
        r.line("## 1. Cancellation check in a cheap loop");
        r.line("");
        r.line("`CheckBench`: sum a 1,024-int array with one check per element; the score is time per element "
                + "(check + add). Each check reads a field of a small object held in a local (the token's state, the "
                + "`AtomicBoolean`'s value, a kotlinx.coroutines `Job()`'s state, a plain `volatile boolean` in its own "
                + "object), as a real loop holds its token. Nothing is ever cancelled. `noCheck`, the same "
                + "loop with no check, is context only.");
        r.line("");
        if (!r.ran("check")) {
            r.line("_Not run in this invocation._\n");
            r.notMeasured("1", "`isCancelled()` vs volatile read", "≤ 1.2x", "not run");
            return;
        }
        header(r);
        r.jmhRow("no check (context)", "CheckBench.noCheck", "CheckBench.volatileBoolean");
        r.jmhRow("**volatile boolean read** (reference)", "CheckBench.volatileBoolean", null);
        r.jmhRow("`AtomicBoolean.get()`", "CheckBench.atomicBoolean", "CheckBench.volatileBoolean");
        r.jmhRow("`Thread.currentThread().isInterrupted()`", "CheckBench.threadIsInterrupted", "CheckBench.volatileBoolean");
        r.jmhRow("**`token.isCancelled()`**", "CheckBench.tokenIsCancelled", "CheckBench.volatileBoolean");
        r.jmhRow("kotlinx `job.isActive()`", "CheckBench.kotlinxJobIsActive", "CheckBench.volatileBoolean");
        r.line("");
        ratioVerdict(r, "1", "`isCancelled()` vs volatile read, per loop element", "CheckBench.tokenIsCancelled",
                "CheckBench.volatileBoolean", 1.2);
    }

    // ------------------------------------------------------------------ 2

    private static void timeout(Report r) {
        r.line("## 2. Arm and disarm a 1 s timeout around an operation that returns at once");
        r.line("");
        r.line("`TimeoutBench`: the operation returns an int field. Reference: `new CompletableFuture<>()"
                + ".orTimeout(1, SECONDS)`, completed at once with the value and joined. With 2 threads each thread "
                + "has its own state. Shared parent: 2 threads, each inside `sharedToken.run(...)` of one "
                + "`CancellationSource.create()` held in a `Scope.Benchmark` state, doing " + TimeoutBench.BATCH
                + " `Timeout.call`s per binding (score per `Timeout.call`); its reference is `orTimeout` with 2 "
                + "threads. The shared parent is a fresh root each iteration (`Level.Iteration`), with nothing prepared in advance, as a server's is.");
        r.line("");
        if (!r.ran("timeout")) {
            r.line("_Not run in this invocation._\n");
            r.notMeasured("2a", "`Timeout.call` vs `orTimeout`, 1 thread", "≤ 0.4x", "not run");
            r.notMeasured("2b", "`Timeout.call` vs `orTimeout`, 2 threads", "≤ 0.7x", "not run");
            r.notMeasured("2c", "`Timeout.call` under one shared parent vs `orTimeout`, 2 threads", "≤ 0.7x", "not run");
            return;
        }
        header(r);
        r.jmhRow("direct call (context)", "TimeoutBench.direct", "TimeoutBench.orTimeout");
        r.jmhRow("**`orTimeout`** (reference)", "TimeoutBench.orTimeout", null);
        r.jmhRow("**`Timeout.call`**", "TimeoutBench.timeoutCall", "TimeoutBench.orTimeout");
        r.jmhRow("direct call (context)", "TimeoutBench.direct2Threads", "TimeoutBench.orTimeout2Threads");
        r.jmhRow("**`orTimeout`** (reference)", "TimeoutBench.orTimeout2Threads", null);
        r.jmhRow("**`Timeout.call`**", "TimeoutBench.timeoutCall2Threads", "TimeoutBench.orTimeout2Threads");
        r.jmhRow("**`Timeout.call` under one shared parent**", "TimeoutBench.timeoutCallSharedParent2Threads",
                "TimeoutBench.orTimeout2Threads");
        r.line("");
        Map<String, String> p = r.program("timeoutProfile");
        if (!p.isEmpty()) {
            r.line("Where the time goes besides the calling thread (`TimeoutProfile`, its own JVM, one thread calling "
                    + "back to back; a diagnostic, not JMH): the thread that owns the deadlines, per call.");
            r.line("");
            r.line("| one thread, back to back | ns per call | B per call (caller) | helper thread | helper CPU per call (ns) "
                    + "| helper CPU (% of a core) | helper wake-ups per 1,000 calls |");
            r.line("|---|---|---|---|---|---|---|");
            profileRow(r, p, "`Timeout.call`", "timeoutCall", "`cancelkit-timer`");
            profileRow(r, p, "`orTimeout`", "orTimeout", "`ForkJoinPool.commonPool-delayScheduler`");
            r.line("");
            if (p.containsKey("error")) {
                r.line("**" + p.get("error") + "**\n");
            }
        }
        ratioVerdict(r, "2a", "`Timeout.call` vs `orTimeout`, 1 thread", "TimeoutBench.timeoutCall",
                "TimeoutBench.orTimeout", 0.4);
        ratioVerdict(r, "2b", "`Timeout.call` vs `orTimeout`, 2 threads", "TimeoutBench.timeoutCall2Threads",
                "TimeoutBench.orTimeout2Threads", 0.7);
        ratioVerdict(r, "2c", "`Timeout.call` under one shared parent vs `orTimeout`, 2 threads",
                "TimeoutBench.timeoutCallSharedParent2Threads", "TimeoutBench.orTimeout2Threads", 0.7);
    }

    private static void profileRow(Report r, Map<String, String> p, String label, String key, String helper) {
        r.line("| " + label + " | " + p.getOrDefault(key + ".nsPerCall", "?") + " | "
                + p.getOrDefault(key + ".bytesPerCall", "?") + " | " + helper + " | "
                + p.getOrDefault(key + ".helperCpuNsPerCall", "?") + " | " + p.getOrDefault(key + ".helperCpuPct", "?")
                + " | " + p.getOrDefault(key + ".helperWakeupsPer1000", "?") + " |");
    }

    // ------------------------------------------------------------------ 3

    private static void size(Report r) {
        r.line("## 3. Retained bytes of an idle child token");
        r.line("");
        r.line("`RetainedSize` (its own JVM, JOL 0.17 `GraphLayout`): growth of the object graph reachable from the "
                + "parent when children are added: the first child of a fresh parent, the second (a root holding "
                + "two children at once spreads its children over stripes from then on, and the second pays for "
                + "them), and per child over " + RetainedSize.MORE + " more. With a one-hour "
                + "deadline it is measured twice: from the parent alone (the token), and from the parent plus the "
                + "system timer's heap and inbox, because the timer entry is a separate object held by the timer, "
                + "not by the token. The peer, a kotlinx.coroutines `Job(parent)`, is measured the same way from its "
                + "parent `Job()`.");
        r.line("");
        Map<String, String> p = r.program("size");
        if (!r.ran("size") || p.isEmpty()) {
            r.line(r.ran("size") ? "_The program produced nothing._\n" : "_Not run in this invocation._\n");
            r.notMeasured("3a", "idle child, no deadline", "≤ 32 B", "not run");
            r.notMeasured("3b", "idle child, 1 h deadline", "≤ 40 B", "not run");
            return;
        }
        if (p.containsKey("error")) {
            r.line("**" + p.get("error") + "**\n");
        }
        r.line("JOL: " + p.getOrDefault("jol.vm", "?") + "; object header " + p.getOrDefault("jol.header", "?")
                + " B.");
        r.line("");
        r.line("| class | instance size (B) |");
        r.line("|---|---|");
        for (String name : RetainedSize.CLASSES) {
            String c = name.substring(name.lastIndexOf('.') + 1).replace('$', '.');
            r.line("| `" + c + "` | " + p.getOrDefault("class." + c, "?") + " |");
        }
        r.line("");
        r.line("| child | graph measured from | bytes | what the growth is |");
        r.line("|---|---|---|---|");
        sizeRow(r, p, "no deadline, first child of a fresh parent", "parent", "plain.first");
        sizeRow(r, p, "no deadline, second child", "parent", "plain.second");
        sizeRow(r, p, "no deadline, each further child", "parent", "plain.each");
        sizeRow(r, p, "1 h deadline, first child", "parent", "deadline.first");
        sizeRow(r, p, "1 h deadline, second child", "parent", "deadline.second");
        sizeRow(r, p, "1 h deadline, each further child", "parent", "deadline.each");
        sizeRow(r, p, "1 h deadline, first child", "parent + timer heap and inbox", "deadlineWithTimer.first");
        sizeRow(r, p, "1 h deadline, second child", "parent + timer heap and inbox", "deadlineWithTimer.second");
        sizeRow(r, p, "1 h deadline, each further child", "parent + timer heap and inbox", "deadlineWithTimer.each");
        sizeRow(r, p, "peer: kotlinx `Job(parent)`, first child of a fresh `Job()`", "parent job", "kotlinxJob.first");
        sizeRow(r, p, "peer: kotlinx `Job(parent)`, second child", "parent job", "kotlinxJob.second");
        sizeRow(r, p, "peer: kotlinx `Job(parent)`, each further child", "parent job", "kotlinxJob.each");
        r.line("");
        sizeVerdict(r, p, "3a", "idle child, no deadline, each further child", "plain.each", 32);
        sizeVerdict(r, p, "3a'", "idle child, no deadline, first child of a fresh parent", "plain.first", 32);
        sizeVerdict(r, p, "3b", "idle child, 1 h deadline, each (token only, as JOL sees from the parent)",
                "deadline.each", 40);
        sizeVerdict(r, p, "3b'", "idle child, 1 h deadline, each (token + its timer entry)", "deadlineWithTimer.each", 40);
        sizeVerdict(r, p, "3b''", "idle child, 1 h deadline, first child of a fresh parent (token only)",
                "deadline.first", 40);
    }

    private static void sizeRow(Report r, Map<String, String> p, String what, String from, String key) {
        r.line("| " + what + " | " + from + " | " + p.getOrDefault(key, "?") + " | "
                + p.getOrDefault(key + ".objects", p.getOrDefault(key.substring(0, key.indexOf('.')) + ".error", ""))
                + " |");
    }

    private static void sizeVerdict(Report r, Map<String, String> p, String n, String what, String key, int target) {
        String v = p.get(key);
        if (v == null) {
            r.notMeasured(n, what, "≤ " + target + " B", "no figure");
            return;
        }
        r.verdict(n, what, "≤ " + target + " B", v + " B", Double.parseDouble(v) <= target);
    }

    // ------------------------------------------------------------------ 4

    private static void tree(Report r) {
        r.line("## 4. Cancelling a tree");
        r.line("");
        r.line("`CancelTreeBench`, SingleShotTime: each measured shot cancels a freshly built tree (building and a "
                + "`System.gc()` happen in the untimed setup); the score is time per token (JMH divides by the token "
                + "count). Flat: one parent with " + String.format("%,d", CancelTreeBench.FLAT_CHILDREN)
                + " children; tree: fan-out " + CancelTreeBench.FAN_OUT + ", depth " + CancelTreeBench.DEPTH + " ("
                + String.format("%,d", CancelTreeBench.TREE_TOKENS) + " tokens). Reference: the same shape of "
                + "minimal nodes (a volatile state set by one CAS, a child array, an explicit-stack walk): about the "
                + "least any thread-safe tree can do. The target itself is absolute.");
        r.line("");
        if (!r.ran("tree")) {
            r.line("_Not run in this invocation._\n");
            r.notMeasured("4a", "cancel a parent with 100,000 children, per token", "≤ 20 ns", "not run");
            r.notMeasured("4b", "cancel a 1,111,111-token tree, per token", "≤ 20 ns", "not run");
            r.notMeasured("4c", "10,000-deep chain cancels without StackOverflowError", "no error", "not run");
            return;
        }
        Map<String, String> p = r.program("tree");
        r.line("The allocation column is what the cancel itself allocates per token, counted by `TreeChecks` with "
                + "`ThreadMXBean.getCurrentThreadAllocatedBytes` around one warm cancel of each tree (JMH's `-prof gc` "
                + "would also count the building done in the untimed setup; its GC column here does count the setup's "
                + "explicit `System.gc()`).");
        r.line("");
        header(r);
        r.jmhRow("**flat, cancelkit**", "CancelTreeBench.flatTokens", "CancelTreeBench.flatPlain",
                p.getOrDefault("alloc.flat", "?"));
        r.jmhRow("flat, minimal nodes (reference)", "CancelTreeBench.flatPlain", null, "not counted");
        r.jmhRow("**tree, cancelkit**", "CancelTreeBench.treeTokens", "CancelTreeBench.treePlain",
                p.getOrDefault("alloc.tree", "?"));
        r.jmhRow("tree, minimal nodes (reference)", "CancelTreeBench.treePlain", null, "not counted");
        r.jmhRow("flat, peer: kotlinx `Job()` with `Job(parent)` children, `cancel()`", "CancelTreeBench.flatKotlinxJobs",
                "CancelTreeBench.flatPlain", "not counted");
        r.line("");
        Report.Score ck = r.score("CancelTreeBench.flatTokens");
        Report.Score kx = r.score("CancelTreeBench.flatKotlinxJobs");
        if (ck != null && kx != null) {
            r.line("Flat cancel, cancelkit against kotlinx.coroutines in the same run: " + Report.Ratio.of(ck, kx)
                    + " (" + Report.fmt(ck.value()) + " vs " + Report.fmt(kx.value()) + " " + ck.unit() + " per child).");
            r.line("");
        }
        r.line("Deep chains (`TreeChecks`, platform thread with the default stack size):");
        r.line("");
        for (String depth : new String[] {"10000", "100000"}) {
            r.line("- " + String.format("%,d", Integer.parseInt(depth)) + "-deep chain: "
                    + p.getOrDefault("chain." + depth, p.getOrDefault("error", "no figure")));
        }
        r.line("");
        absoluteVerdict(r, "4a", "cancel a parent with 100,000 children, per token", "CancelTreeBench.flatTokens", 20);
        absoluteVerdict(r, "4b", "cancel a 1,111,111-token tree (fan-out 10, depth 6), per token",
                "CancelTreeBench.treeTokens", 20);
        String chain = p.get("chain.10000");
        if (chain == null) {
            r.notMeasured("4c", "10,000-deep chain cancels without StackOverflowError", "no error", "no figure");
        } else {
            r.verdict("4c", "10,000-deep chain cancels without StackOverflowError", "no error", chain,
                    chain.startsWith("ok"));
        }
    }

    private static void absoluteVerdict(Report r, String n, String what, String name, double targetNs) {
        Report.Score s = r.score(name);
        if (s == null) {
            r.notMeasured(n, what, "≤ " + (int) targetNs + " ns", "not run");
            return;
        }
        r.verdict(n, what, "≤ " + (int) targetNs + " ns", Report.fmt(s.value()) + " ± " + Report.fmt(s.error()) + " "
                + s.unit(), s.value() <= targetNs);
    }

    // ------------------------------------------------------------------ exceptions

    private static void exceptions(Report r) {
        r.line("## Raising a routine cancellation");
        r.line("");
        r.line("`ExceptionBench`: `CancelledException` skips its stack trace by default; the reference is "
                + "constructing a `java.util.concurrent.CancellationException`, which fills in its stack trace "
                + "(about ten frames deep under JMH; deeper real stacks cost more). Every exception is returned, so "
                + "none is scalar-replaced. No target: context for \"routine cancellations must be cheap\".");
        r.line("");
        if (!r.ran("exception")) {
            r.line("_Not run in this invocation._\n");
            return;
        }
        header(r);
        r.jmhRow("**`token.throwIfCancelled()` raised and caught**", "ExceptionBench.cancelledExceptionRaised",
                "ExceptionBench.cancellationExceptionNew");
        r.jmhRow("`new CancelledException(reason)`", "ExceptionBench.cancelledExceptionNew",
                "ExceptionBench.cancellationExceptionNew");
        r.jmhRow("**`new CancellationException(msg)`** (reference)", "ExceptionBench.cancellationExceptionNew", null);
        r.jmhRow("`CancellationException` thrown and caught", "ExceptionBench.cancellationExceptionRaised",
                "ExceptionBench.cancellationExceptionNew");
        r.line("");
    }
}
