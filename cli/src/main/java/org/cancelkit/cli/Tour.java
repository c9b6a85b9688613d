package org.cancelkit.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs scenarios in order and reports each: what happened, how long it took, what it proves. */
public final class Tour {
    private final List<Scenario> scenarios;

    /**
     * Creates a tour.
     *
     * @param scenarios the scenarios, in the order they run
     */
    public Tour(List<Scenario> scenarios) {
        this.scenarios = List.copyOf(scenarios);
    }

    /**
     * Returns every scenario of cancelkit, in tour order.
     *
     * @return the full tour
     */
    public static Tour full() {
        List<Scenario> all = new ArrayList<>();
        all.addAll(CoreScenarios.all());
        all.addAll(GroupScenarios.all());
        all.addAll(FileScenarios.all());
        all.addAll(JobScenarios.all());
        all.addAll(DatabaseScenarios.all());
        all.addAll(ClusterScenarios.all());
        all.addAll(LifecycleScenarios.all());
        all.addAll(HttpScenarios.all());
        all.addAll(GrpcScenarios.all());
        return new Tour(all);
    }

    /**
     * Returns the scenarios.
     *
     * @return the scenarios, in order
     */
    public List<Scenario> scenarios() {
        return scenarios;
    }

    /**
     * Returns the tour of the named scenarios, in the order given (a name given twice runs once).
     *
     * @param names scenario names, as {@code --list} prints them
     * @return a tour of those scenarios, in that order
     * @throws IllegalArgumentException if a name is unknown: the message names it and lists every scenario
     */
    public Tour only(List<String> names) {
        Map<String, Scenario> byName = new LinkedHashMap<>();
        scenarios.forEach(s -> byName.put(s.name(), s));
        List<String> unknown = names.stream().filter(n -> !byName.containsKey(n)).distinct().toList();
        if (!unknown.isEmpty() || names.isEmpty()) {
            throw new IllegalArgumentException((names.isEmpty() ? "no scenario named" : "no scenario named "
                    + String.join(", ", unknown)) + "; the scenarios are: " + String.join(", ", byName.keySet()));
        }
        return new Tour(names.stream().distinct().map(byName::get).toList());
    }

    /**
     * Runs every scenario.
     *
     * @param out where to print
     * @return the number of failed checks (0 when every invariant held)
     */
    public int run(PrintStream out) {
        out.println("cancelkit tour: live scenarios on real time, each checking the invariant it shows");
        out.println();
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        int i = 0;
        for (Scenario s : scenarios) {
            i++;
            out.printf("[%d/%d] %s   (%s)%n", i, scenarios.size(), s.title(), s.invariants());
            Report report = new Report(out);
            long start = System.nanoTime();
            TimelineLine timeline = TimelineLine.start();
            try (timeline) {
                s.run(report);
            } catch (Exception | AssertionError e) {
                report.failedWith(e);
            }
            out.println("      timeline: " + timeline.line());
            if (Thread.interrupted()) {
                report.check("no interrupt left on the tour's thread", false);
            }
            out.println("      took " + Report.since(start));
            out.println();
            passed += report.passed();
            failed += report.failed();
            skipped += report.skipped();
        }
        out.println("checks: " + passed + " passed, " + failed + " failed"
                + (skipped > 0 ? "; " + skipped + " scenario(s) skipped (see SKIP above)" : ""));
        return failed;
    }
}
