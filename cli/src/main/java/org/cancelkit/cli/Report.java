package org.cancelkit.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * What a scenario says and checks. Not thread-safe: scenarios report from the thread that runs them.
 */
public final class Report {
    private final PrintStream out;
    private int passed;
    private int failed;
    private int skipped;

    Report(PrintStream out) {
        this.out = out;
    }

    /**
     * Says what happened.
     *
     * @param line one line, without indentation
     */
    public void say(String line) {
        out.println("      " + line);
    }

    /**
     * Checks a claim; a false one fails the tour.
     *
     * @param claim what must be true, phrased as a statement
     * @param ok whether it is
     * @return {@code ok}
     */
    public boolean check(String claim, boolean ok) {
        out.println("      " + (ok ? "PASS " : "FAIL ") + claim);
        if (ok) {
            passed++;
        } else {
            failed++;
        }
        return ok;
    }

    /**
     * Formats a duration for people.
     *
     * @param d the duration
     * @return e.g. {@code "201 ms"}
     */
    public static String ms(Duration d) {
        return d.toMillis() + " ms";
    }

    /**
     * Formats the time since a {@link System#nanoTime()} reading.
     *
     * @param startNanos the reading
     * @return e.g. {@code "201 ms"}
     */
    public static String since(long startNanos) {
        return ms(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /**
     * Says that the scenario could not run here, and why (e.g. the database it needs is not reachable).
     * A skip is neither a pass nor a failure; the tour counts and prints it.
     *
     * @param reason why, and what to do to run it
     */
    public void skip(String reason) {
        out.println("      SKIP " + reason);
        skipped++;
    }

    int skipped() {
        return skipped;
    }

    int passed() {
        return passed;
    }

    int failed() {
        return failed;
    }

    void failedWith(Throwable t) {
        failed++;
        out.println("      FAIL the scenario threw " + t);
    }
}
