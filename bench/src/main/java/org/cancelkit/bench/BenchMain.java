package org.cancelkit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark and measurement program, then regenerates {@code RESULTS.md}.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar [--quick] [--out bench/RESULTS.md] [--only SECTION,...]
 * java -jar bench/target/benchmarks.jar jmh [JMH options]     (plain JMH, e.g. -l, or -prof gc TimeoutBench)
 * </pre>
 * Sections: {@code check, timeout, exception, tree, size, lateness, herd, scaling, idle, stop, peers, io, group, grpc, jfr}. {@code --quick} uses short
 * settings for a smoke run; its file says so.
 */
public final class BenchMain {
    /** JVM flags of every JMH fork and every measurement program: the same for every contender. */
    static final List<String> JVM_ARGS = List.of("-Xms1g", "-Xmx1g", "--enable-preview");
    /**
     * What JOL needs on JDK 25 for clean output (the size program only: it has no contender). The graph of a
     * token reaches its clock's timer thread and, from there, records of the JDK's class loaders, whose field
     * offsets JOL can read only with its magic-field-offset mode.
     */
    static final List<String> JOL_ARGS = List.of("-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading",
            "-Djol.magicFieldOffset=true");
    static final List<String> SECTIONS = List.of("check", "timeout", "exception", "tree", "size", "lateness", "herd", "scaling", "idle", "stop", "peers", "io", "group", "grpc", "jfr");

    /** How long everything runs. */
    record Settings(boolean quick, int forks, int warmupIterations, int measurementIterations, int iterationSeconds,
                    int treeWarmupShots, int treeMeasuredShots, int latenessRounds, int idleSeconds, int stopRounds,
                    int grpcRounds, int grpcCalls, int grpcHopRequests) {
        static final Settings FULL = new Settings(false, 2, 3, 5, 1, 10, 20, 5, 10, 2, 5, 5_000, 60);
        static final Settings QUICK = new Settings(true, 1, 1, 2, 1, 2, 3, 2, 3, 1, 2, 1_000, 10);
    }

    private BenchMain() {}

    /**
     * The entry point of the benchmarks jar.
     *
     * @param args see the class comment
     * @throws Exception when a benchmark or program fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Settings settings = Settings.FULL;
        Path out = Path.of("bench/RESULTS.md");
        Set<String> only = new LinkedHashSet<>(SECTIONS);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> settings = Settings.QUICK;
                case "--out" -> out = Path.of(args[++i]);
                case "--only" -> {
                    only = new LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
                    if (!SECTIONS.containsAll(only)) {
                        throw new IllegalArgumentException("--only takes some of " + SECTIONS + ", got " + only);
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use [--quick] [--out FILE] [--only " + String.join(",", SECTIONS) + "], or jmh ...");
            }
        }
        Report report = new Report(settings, only);
        Path raw = out.toAbsolutePath().getParent().resolve("target");
        Files.createDirectories(raw);

        List<String> fast = new ArrayList<>();
        if (only.contains("check")) {
            fast.add("CheckBench\\.");
        }
        if (only.contains("timeout")) {
            fast.add("TimeoutBench\\.");
        }
        if (only.contains("exception")) {
            fast.add("ExceptionBench\\.");
        }
        if (only.contains("peers")) {
            // The peers' reference (cancelkit) and context (orTimeout) are measured in the same run.
            fast.add("PeerTimeoutBench\\.");
            if (!only.contains("timeout")) {
                fast.add("TimeoutBench\\.(timeoutCall|orTimeout)(2Threads)?$");
            }
        }
        if (only.contains("tree")) {
            fast.add("ChildDepthBench\\.");
        }
        if (only.contains("io")) {
            fast.add("AtomicWriteBench\\.");
        }
        if (only.contains("group")) {
            fast.add("TaskGroupBench\\.");
        }
        if (only.contains("jfr")) {
            fast.add("JfrCostBench\\.");
        }
        if (!fast.isEmpty()) {
            ChainedOptionsBuilder b = common(settings, "\\.(" + String.join("|", fast) + ")", raw.resolve("jmh-main.json"))
                    .warmupIterations(settings.warmupIterations())
                    .warmupTime(TimeValue.seconds(settings.iterationSeconds()))
                    .measurementIterations(settings.measurementIterations())
                    .measurementTime(TimeValue.seconds(settings.iterationSeconds()));
            report.addJmh(new Runner(b.build()).run());
        }
        if (only.contains("timeout")) {
            report.addProgram("timeoutProfile", runProgram(TimeoutProfile.class, List.of(),
                    Integer.toString(settings.quick() ? 1 : 3)));
        }
        if (only.contains("tree")) {
            ChainedOptionsBuilder b = common(settings, "\\.CancelTreeBench\\.", raw.resolve("jmh-tree.json"))
                    .warmupIterations(settings.treeWarmupShots())
                    .measurementIterations(settings.treeMeasuredShots());
            report.addJmh(new Runner(b.build()).run());
            report.addProgram("tree", runProgram(TreeChecks.class, List.of()));
        }
        if (only.contains("size")) {
            report.addProgram("size", runProgram(RetainedSize.class, JOL_ARGS));
        }
        if (only.contains("lateness")) {
            report.addProgram("lateness", runProgram(TimerLateness.class, List.of(),
                    Integer.toString(settings.latenessRounds())));
            report.addProgram("isolation", runProgram(TimerIsolation.class, List.of(),
                    Integer.toString(settings.latenessRounds())));
        }
        if (only.contains("herd")) {
            report.addProgram("herd", runProgram(HerdUnwind.class, List.of(), Integer.toString(settings.quick() ? 1 : 3)));
        }
        if (only.contains("scaling")) {
            report.addProgram("scaling", runProgram(Scaling.class, List.of()));
        }
        if (only.contains("idle")) {
            report.addProgram("idle", runProgram(IdleTimerCpu.class, List.of(),
                    Integer.toString(settings.idleSeconds())));
        }
        if (only.contains("group")) {
            report.addProgram("groupCancel", runProgram(GroupCancelLatency.class, List.of(),
                    Integer.toString(settings.quick() ? 2 : 10)));
            report.addProgram("groupDeadline", runProgram("org.cancelkit.bench.GroupDeadline", List.of(),
                    Integer.toString(settings.quick() ? 1 : 3)));
        }
        if (only.contains("grpc")) {
            report.addProgram("grpc", runProgram(GrpcBench.class, List.of(), Integer.toString(settings.grpcRounds()),
                    Integer.toString(settings.grpcCalls())));
            report.addProgram("grpcHops", runProgram(GrpcHopsLatency.class, List.of(),
                    Integer.toString(settings.grpcHopRequests())));
        }
        if (only.contains("stop")) {
            report.addProgram("stop", runProgram("org.cancelkit.bench.StopTable", List.of(), Integer.toString(settings.stopRounds())));
        }
        report.finish();
        // A run of one spliceable section alone replaces that section of an existing file and keeps the rest.
        String only1 = only.size() == 1 ? only.iterator().next() : "";
        String begin = switch (only1) {
            case "stop" -> PeerSections.STOP_BEGIN;
            case "peers" -> PeerSections.PEERS_BEGIN;
            case "io" -> PeerSections.IO_BEGIN;
            case "grpc" -> GrpcSections.BEGIN;
            default -> null;
        };
        String end = switch (only1) {
            case "stop" -> PeerSections.STOP_END;
            case "peers" -> PeerSections.PEERS_END;
            case "grpc" -> GrpcSections.END;
            default -> PeerSections.IO_END;
        };
        String section = begin == null ? null : report.section(begin, end);
        if (begin != null && section != null && Files.exists(out)) {
            if (!splice(out, section, begin, end)) {
                Files.writeString(out, Files.readString(out, StandardCharsets.UTF_8) + "\n" + section + "\n",
                        StandardCharsets.UTF_8);
            }
            System.out.println("Replaced the " + only + " section of " + out.toAbsolutePath() + " (the rest is kept)");
        } else {
            Files.writeString(out, report.markdown(), StandardCharsets.UTF_8);
        }
        // The README's "Compared with" section carries the same stop table, when the committed file is written.
        Path readme = out.toAbsolutePath().getParent().resolveSibling("README.md");
        String table = report.stopTable();
        if (table != null && !settings.quick() && out.toAbsolutePath().endsWith(Path.of("bench", "RESULTS.md"))
                && Files.exists(readme)) {
            if (splice(readme, README_BEGIN + "\n" + table + README_END, README_BEGIN, README_END)) {
                System.out.println("Replaced the stop table in " + readme);
            }
        }
        String peers = report.peersSummary();
        if (peers != null && !settings.quick() && out.toAbsolutePath().endsWith(Path.of("bench", "RESULTS.md"))
                && Files.exists(readme)
                && splice(readme, README_PEERS_BEGIN + "\n" + peers + README_PEERS_END, README_PEERS_BEGIN,
                        README_PEERS_END)) {
            System.out.println("Replaced the peers' ratios in " + readme);
        }
        String headline = report.headline();
        if (headline != null && !settings.quick() && out.toAbsolutePath().endsWith(Path.of("bench", "RESULTS.md"))
                && Files.exists(readme)
                && splice(readme, README_HEADLINE_BEGIN + "\n" + headline + README_HEADLINE_END, README_HEADLINE_BEGIN,
                        README_HEADLINE_END)) {
            System.out.println("Replaced the headline figures in " + readme);
        }
        System.out.println();
        System.out.println(report.verdicts());
        System.out.println("Wrote " + out.toAbsolutePath());
    }

    static final String README_BEGIN = "<!-- stop-table:begin (generated by bench/run.sh --only stop) -->";
    static final String README_END = "<!-- stop-table:end -->";
    static final String README_PEERS_BEGIN = "<!-- peers-ratios:begin (generated by bench/run.sh --only peers) -->";
    static final String README_PEERS_END = "<!-- peers-ratios:end -->";
    static final String README_HEADLINE_BEGIN = "<!-- headline:begin (generated by bench/run.sh) -->";
    static final String README_HEADLINE_END = "<!-- headline:end -->";

    /** Replaces the text from {@code begin} to {@code end} (markers included) in {@code file}; false if absent. */
    static boolean splice(Path file, String replacement, String begin, String end) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int b = text.indexOf(begin);
        int e = text.indexOf(end, Math.max(b, 0));
        if (b < 0 || e < 0) {
            return false;
        }
        Files.writeString(file, text.substring(0, b) + replacement + text.substring(e + end.length()),
                StandardCharsets.UTF_8);
        return true;
    }

    private static ChainedOptionsBuilder common(Settings settings, String include, Path json) {
        return new OptionsBuilder()
                .include(include)
                .forks(settings.forks())
                .jvmArgs(JVM_ARGS.toArray(String[]::new))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
    }

    /**
     * Runs a measurement program in its own JVM (same java, same class path, {@link #JVM_ARGS}), echoes
     * its output, and returns its {@code RESULT} lines as key to value.
     */
    static Map<String, String> runProgram(Class<?> main, List<String> extraJvmArgs, String... args)
            throws IOException, InterruptedException {
        return runProgram(main.getName(), extraJvmArgs, args);
    }

    /**
     * The same, by class name: for a program that uses preview features, which this JVM (started
     * without {@code --enable-preview}) must not load.
     */
    static Map<String, String> runProgram(String main, List<String> extraJvmArgs, String... args)
            throws IOException, InterruptedException {
        String simpleName = main.substring(main.lastIndexOf('.') + 1);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_ARGS);
        cmd.addAll(extraJvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main);
        cmd.addAll(List.of(args));
        System.out.println("# " + simpleName + ": " + String.join(" ", cmd.subList(1, cmd.size())));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, String> results = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println(line);
                if (line.startsWith(Out.PREFIX)) {
                    String rest = line.substring(Out.PREFIX.length());
                    int space = rest.indexOf(' ');
                    results.put(space < 0 ? rest : rest.substring(0, space), space < 0 ? "" : rest.substring(space + 1));
                }
            }
        }
        int exit = p.waitFor();
        if (exit != 0) {
            results.put("error", simpleName + " exited with code " + exit);
        }
        return results;
    }

    /** {@code Class.method} of a JMH result, then {@code :param,...} if it has parameters. */
    static String shortName(RunResult r) {
        String full = r.getParams().getBenchmark();
        int method = full.lastIndexOf('.');
        int cls = full.lastIndexOf('.', method - 1);
        StringBuilder name = new StringBuilder(full.substring(cls + 1));
        String sep = ":";
        for (String key : r.getParams().getParamsKeys()) {
            name.append(sep).append(r.getParams().getParam(key));
            sep = ",";
        }
        return name.toString();
    }
}
