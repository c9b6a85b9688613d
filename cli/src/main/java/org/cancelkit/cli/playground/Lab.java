package org.cancelkit.cli.playground;

import java.util.List;
import java.util.Map;

/**
 * A scenario the playground can run: built in, with bounded numeric parameters. Nothing from the page is
 * ever executed; the page only picks a scenario and its parameter values, which are checked against
 * {@link #params()} before the scenario runs.
 */
interface Lab {
    /**
     * Returns the scenario's name, as the page and the request name it.
     *
     * @return lower case with dashes
     */
    String name();

    /**
     * Returns what the scenario shows, in one line.
     *
     * @return the title
     */
    String title();

    /**
     * Returns the parameters the page may change.
     *
     * @return the parameters, in display order
     */
    List<Param> params();

    /**
     * Runs the scenario with checked values, reporting lanes, marks, tokens and checks to {@code run}.
     *
     * @param values one value per parameter, each within its range
     * @param run where the story goes
     * @throws Exception when the scenario breaks: the run reports it as a failed check
     */
    void run(Map<String, Long> values, Run run) throws Exception;

    /**
     * One parameter: an integer within {@code [min, max]}.
     *
     * @param name its name in the request
     * @param label what it means, for the page
     * @param min the least value
     * @param max the greatest value
     * @param value the default
     * @param unit its unit for the page ("ms", "files", ...)
     */
    record Param(String name, String label, long min, long max, long value, String unit) {
        public Param {
            if (min > value || value > max) {
                throw new IllegalArgumentException(name + ": default " + value + " outside [" + min + ", " + max + "]");
            }
        }
    }
}
