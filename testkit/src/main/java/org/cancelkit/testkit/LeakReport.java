package org.cancelkit.testkit;

import java.util.List;
import java.util.Objects;

/**
 * What the leak checks found after a region: one {@link Finding} per leaked thread, descriptor,
 * temp file, registration, or leak of a check of your own.
 *
 * {@snippet :
 * LeakReport report = Leaks.all().run(() -> service.handle(request));
 * report.assertNoLeaks();           // AssertionError listing every finding, with stacks
 * }
 *
 * <p>Immutable and thread-safe.
 */
public final class LeakReport {

    /**
     * One leak.
     *
     * @param check the check that found it: {@code threads}, {@code file descriptors},
     *     {@code temp files}, {@code registrations}, or the name of a {@link LeakCheck}
     * @param description what leaked, readable, maybe over several lines (a stack)
     */
    public record Finding(String check, String description) {
        /**
         * Checks the arguments.
         *
         * @param check the check that found it
         * @param description what leaked
         */
        public Finding {
            Objects.requireNonNull(check, "check");
            Objects.requireNonNull(description, "description");
        }
    }

    private final List<Finding> findings;

    LeakReport(List<Finding> findings) {
        this.findings = List.copyOf(findings);
    }

    /**
     * Returns the findings, in check order: threads, file descriptors, temp files, registrations,
     * then checks of your own.
     *
     * @return the findings
     */
    public List<Finding> findings() {
        return findings;
    }

    /**
     * Returns true when nothing leaked.
     *
     * @return true when nothing leaked
     */
    public boolean isEmpty() {
        return findings.isEmpty();
    }

    /**
     * Fails when anything leaked.
     *
     * @throws AssertionError listing every finding
     */
    public void assertNoLeaks() {
        if (!findings.isEmpty()) {
            throw new AssertionError(toString());
        }
    }

    /**
     * Returns "no leaks", or a numbered list of the findings, each under the name of its check.
     *
     * @return the report as text
     */
    @Override
    public String toString() {
        if (findings.isEmpty()) {
            return "no leaks";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(findings.size()).append(findings.size() == 1 ? " leak" : " leaks").append(" found by cancelkit's leak checks:");
        int i = 1;
        for (Finding f : findings) {
            sb.append("\n  ").append(i++).append(". [").append(f.check()).append("] ")
                    .append(f.description().strip().replace("\n", "\n     "));
        }
        return sb.toString();
    }
}
