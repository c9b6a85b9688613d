package org.cancelkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/** Collects what {@link BenchMain} measured and renders {@code RESULTS.md} from it, verdicts included. */
final class Report {
    /** One JMH figure: score, JMH's 99.9% error half-width, unit, allocation per op, threads. */
    record Score(double value, double error, String unit, double bytesPerOp, int threads, double gcCount,
                 double gcMillis) {}

    /** A ratio a/b with its error propagated from both errors. */
    record Ratio(double value, double error) {
        static Ratio of(Score a, Score b) {
            double r = a.value() / b.value();
            double ea = a.error() / a.value();
            double eb = b.error() / b.value();
            return new Ratio(r, r * Math.sqrt(ea * ea + eb * eb));
        }

        @Override
        public String toString() {
            return Double.isFinite(error) ? String.format("%.2fx ± %.2f", value, error) : String.format("%.2fx", value);
        }
    }

    private record Verdict(String number, String what, String target, String figure, String verdict) {}

    /** Written right under the Targets table when a target is missed. */
    static final String MISSED_LINE = "Why each **MISSED** target is missed, the profile that explains it and what would be "
            + "needed to meet it: [`bench/MISSED.md`](MISSED.md) (written from profiles of one commit; its intro says which).";

    private final BenchMain.Settings settings;
    private final Set<String> sections;
    private final String startedAt;
    private final String loadAtStart;
    private String loadAtEnd = "?";
    private final Map<String, Score> jmh = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> programs = new LinkedHashMap<>();
    private final List<Verdict> verdicts = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();
    private @Nullable String stopTable;

    Report(BenchMain.Settings settings, Set<String> sections) {
        this.settings = settings;
        this.sections = sections;
        this.startedAt = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        this.loadAtStart = loadAverage();
    }

    void addJmh(Collection<RunResult> results) {
        for (RunResult r : results) {
            Result<?> primary = r.getPrimaryResult();
            double alloc = Double.NaN;
            double gcCount = Double.NaN;
            double gcMillis = Double.NaN;
            for (String key : r.getSecondaryResults().keySet()) {
                double v = r.getSecondaryResults().get(key).getScore();
                if (key.endsWith("gc.alloc.rate.norm")) {
                    alloc = v;
                } else if (key.endsWith("gc.count")) {
                    gcCount = v;
                } else if (key.endsWith("gc.time")) {
                    gcMillis = v;
                }
            }
            jmh.put(BenchMain.shortName(r), new Score(primary.getScore(), primary.getScoreError(),
                    primary.getScoreUnit(), alloc, r.getParams().getThreads(), gcCount, gcMillis));
        }
    }

    void addProgram(String name, Map<String, String> results) {
        programs.put(name, results);
    }

    void finish() {
        loadAtEnd = loadAverage();
        Sections.render(this);
    }

    // ------------------------------------------------------------------ used by Sections

    @Nullable Score score(String name) {
        return jmh.get(name);
    }

    Map<String, String> program(String name) {
        return programs.getOrDefault(name, Map.of());
    }

    boolean ran(String section) {
        return sections.contains(section);
    }

    BenchMain.Settings settings() {
        return settings;
    }

    void line(String text) {
        body.append(text).append('\n');
    }

    void verdict(String number, String what, String target, String figure, boolean met) {
        verdicts.add(new Verdict(number, what, target, figure, met ? "MET" : "**MISSED**"));
    }

    void notMeasured(String number, String what, String target, String why) {
        verdicts.add(new Verdict(number, what, target, why, "not measured"));
    }

    /** A row of a JMH table; the ratio column is empty for the reference itself. */
    void jmhRow(String label, String name, @Nullable String reference) {
        jmhRow(label, name, reference, null);
    }

    /** A row of a JMH table whose allocation column comes from elsewhere when {@code bytes} is not null. */
    void jmhRow(String label, String name, @Nullable String reference, @Nullable String bytes) {
        Score s = score(name);
        if (s == null) {
            line("| " + label + " | not run | | | | |");
            return;
        }
        String ratio = "";
        if (reference == null) {
            ratio = "reference";
        } else {
            Score ref = score(reference);
            ratio = ref == null ? "no reference" : Ratio.of(s, ref).toString();
        }
        line("| " + label + " | " + s.threads() + " | " + fmt(s.value()) + " ± " + fmt(s.error()) + " " + s.unit()
                + " | " + (bytes != null ? bytes : bytes(s.bytesPerOp())) + " | " + gc(s) + " | " + ratio + " |");
    }

    private @Nullable String peersSummary;

    void peersSummary(String table) {
        peersSummary = table;
    }

    /** The peers' ratios to cancelkit, if they ran. */
    @Nullable String peersSummary() {
        return peersSummary;
    }

    private @Nullable String headline;

    void headline(String table) {
        headline = table;
    }

    /** The headline figures against the peers (check, fan-out, retained bytes, precision), if any ran. */
    @Nullable String headline() {
        return headline;
    }

    void stopTable(String table) {
        stopTable = table;
    }

    /** The stop table, if the stop program ran. */
    @Nullable String stopTable() {
        return stopTable;
    }

    /** A generated section of RESULTS.md, markers included, or null if it is not in the body. */
    @Nullable String section(String begin, String end) {
        int b = body.indexOf(begin);
        int e = body.indexOf(end);
        return b < 0 || e < 0 ? null : body.substring(b, e + end.length());
    }

    // ------------------------------------------------------------------ rendering

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# cancelkit benchmark results\n\n");
        md.append("Regenerate with one command from the repository root: **`bench/run.sh`** (it builds the ");
        md.append("benchmarks jar with `./mvnw -q -pl bench -am package -DskipTests`, then runs ");
        md.append("`java -jar bench/target/benchmarks.jar`, which runs every benchmark and program below and ");
        md.append("rewrites this file). `bench/run.sh --quick` is a short smoke run. See `bench/README.md`.\n\n");
        if (settings.quick()) {
            md.append("> **QUICK SMOKE RUN** (`--quick`): one fork and very short iterations. These figures are not ");
            md.append("fit to judge the targets by.\n\n");
        }
        md.append("> Measured on a **shared 2-core machine** while other engineers were compiling and testing on it, ");
        md.append("so every absolute figure is noisy and context only. Each benchmark is judged by its ratio to a ");
        md.append("reference measured in the same run, with the same JVM flags and the same number of forks. ");
        md.append("Errors are JMH's 99.9% confidence half-widths; ratio errors are propagated from both. ");
        md.append("\"GCs / GC time\" is `-prof gc`'s count and time of collections during all measured iterations ");
        md.append("of all forks (as JMH sums them).\n\n");

        md.append("## Run\n\n| | |\n|---|---|\n");
        md.append("| date | ").append(startedAt).append(" |\n");
        md.append("| machine | ").append(Runtime.getRuntime().availableProcessors()).append(" cores (nproc); ")
                .append(cpuModel()).append("; ").append(memory()).append(" |\n");
        md.append("| load average (1/5/15 min) at start / end | ").append(loadAtStart).append(" / ")
                .append(loadAtEnd).append(" |\n");
        md.append("| OS | ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append(' ').append(System.getProperty("os.arch")).append(" |\n");
        md.append("| JDK | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(" (").append(System.getProperty("java.vendor"))
                .append(") |\n");
        md.append("| JVM flags of every JMH fork and program | `").append(String.join(" ", BenchMain.JVM_ARGS))
                .append("`, default GC (the size program adds `").append(String.join(" ", BenchMain.JOL_ARGS))
                .append("` for JOL) |\n");
        md.append("| JMH | 1.37, `-prof gc` on every benchmark. AverageTime: ").append(settings.forks())
                .append(" fork(s) × (").append(settings.warmupIterations()).append(" × ")
                .append(settings.iterationSeconds()).append(" s warm-up + ").append(settings.measurementIterations())
                .append(" × ").append(settings.iterationSeconds()).append(" s measurement). Tree cancel: SingleShotTime, ")
                .append(settings.forks()).append(" fork(s) × (").append(settings.treeWarmupShots())
                .append(" warm-up + ").append(settings.treeMeasuredShots()).append(" measured shots) |\n");
        md.append("| programs | lateness: 1 warm-up + ").append(settings.latenessRounds())
                .append(" measured rounds; idle timer: 2 windows of ").append(settings.idleSeconds()).append(" s |\n");
        md.append("| cancelkit commit | ").append(gitHead()).append(" |\n\n");

        md.append("## Targets\n\n| # | what | target | measured | verdict |\n|---|---|---|---|---|\n");
        for (Verdict v : verdicts) {
            md.append("| ").append(v.number()).append(" | ").append(v.what()).append(" | ").append(v.target())
                    .append(" | ").append(v.figure()).append(" | ").append(v.verdict()).append(" |\n");
        }
        if (verdicts.stream().anyMatch(v -> v.verdict().contains("MISSED"))) {
            md.append('\n').append(MISSED_LINE).append('\n');
        }
        md.append('\n').append(body);
        return md.toString();
    }

    String verdicts() {
        StringBuilder sb = new StringBuilder("Targets:\n");
        for (Verdict v : verdicts) {
            sb.append(String.format("  %-4s %-12s %s: %s (target %s)%n", v.number(), v.verdict().replace("*", ""),
                    v.what(), v.figure(), v.target()));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ formatting

    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format("%,.0f", v);
        }
        if (a >= 100) {
            return String.format("%.1f", v);
        }
        if (a >= 10) {
            return String.format("%.2f", v);
        }
        return String.format("%.3f", v);
    }

    private static String gc(Score s) {
        if (!Double.isFinite(s.gcCount()) || s.gcCount() == 0) {
            return "0";
        }
        return String.format("%.0f / %.0f ms", s.gcCount(), Double.isFinite(s.gcMillis()) ? s.gcMillis() : 0);
    }

    static String bytes(double v) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        return v < 0.5 ? "≈ 0" : String.format("%.1f", v);
    }

    // ------------------------------------------------------------------ machine

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("?");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> String.format("%.1f GiB RAM",
                            Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
                    .findFirst().orElse("?");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String gitHead() {
        String given = System.getProperty("bench.commit");
        if (given != null && !given.isBlank()) {
            return given;
        }
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String head = new String(p.getInputStream().readAllBytes()).strip();
            return p.waitFor() == 0 ? head : "unknown";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // keep the flag for the caller
            return "unknown";
        }
    }
}
