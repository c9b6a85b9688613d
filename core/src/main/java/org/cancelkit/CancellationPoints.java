package org.cancelkit;

/**
 * Where cancellation points report to a test harness. The testing kit installs a hook here to count
 * and enumerate the cancellation points an operation passes; production code pays one static read
 * of a field that stays null.
 */
final class CancellationPoints {
    private CancellationPoints() {}

    /** Called at every explicit check and every library wait, before it looks at its token. */
    static void reached() {
        // Hook point for the testing kit; nothing is installed in production.
    }
}
