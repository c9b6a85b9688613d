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
 * Sections: {@code check, timeout, exception, tree, size, lateness, idle}. {@code --quick} uses short
 * settings for a smoke run; its file says so.
 */
public final class BenchMain {
    /** JVM flags of every JMH fork and every measurement program: the same for every contender. */
    static final List<String> JVM_ARGS = List.of("-Xms1g", "-Xmx1g");
    /** What JOL needs on JDK 25 for clean output (the size program only: it has no contender). */
    static final List<String> JOL_ARGS = List.of("-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading");
    static final List<String> SECTIONS = List.of("check", "timeout", "exception", "tree", "size", "lateness", "idle");

    /** How long everything runs. */
    record Settings(boolean quick, int forks, int warmupIterations, int measurementIterations, int iterationSeconds,
                    int treeWarmupShots, int treeMeasuredShots, int latenessRounds, int idleSeconds) {
        static final Settings FULL = new Settings(false, 2, 3, 5, 1, 10, 20, 5, 10);
        static final Settings QUICK = new Settings(true, 1, 1, 2, 1, 2, 3, 2, 3);
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
            fast.add("CheckBench");
        }
        if (only.contains("timeout")) {
            fast.add("TimeoutBench");
        }
        if (only.contains("exception")) {
            fast.add("ExceptionBench");
        }
        if (!fast.isEmpty()) {
            ChainedOptionsBuilder b = common(settings, "\\.(" + String.join("|", fast) + ")\\.", raw.resolve("jmh-main.json"))
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
        }
        if (only.contains("idle")) {
            report.addProgram("idle", runProgram(IdleTimerCpu.class, List.of(),
                    Integer.toString(settings.idleSeconds())));
        }
        report.finish();
        Files.writeString(out, report.markdown(), StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(report.verdicts());
        System.out.println("Wrote " + out.toAbsolutePath());
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
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_ARGS);
        cmd.addAll(extraJvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        System.out.println("# " + main.getSimpleName() + ": " + String.join(" ", cmd.subList(1, cmd.size())));
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
            results.put("error", main.getSimpleName() + " exited with code " + exit);
        }
        return results;
    }

    /** {@code Class.method} of a JMH result. */
    static String shortName(RunResult r) {
        String full = r.getParams().getBenchmark();
        int method = full.lastIndexOf('.');
        int cls = full.lastIndexOf('.', method - 1);
        return full.substring(cls + 1);
    }
}
