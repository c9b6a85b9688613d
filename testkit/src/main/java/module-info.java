/**
 * cancelkit testkit: virtual time, a cancellation-point explorer, ordered steps, leak checks and a
 * JUnit Jupiter extension, for testing code that uses cancelkit.
 *
 * <p>Start with {@link org.cancelkit.testkit.CancelkitTest} and
 * {@link org.cancelkit.testkit.CancellationExplorer}.
 */
module org.cancelkit.testkit {
    // "transitive": the kit's public API speaks of VirtualClock, CheckedRunnable and JUnit's types.
    requires transitive org.cancelkit;
    requires transitive org.junit.jupiter.api;
    requires static transitive org.jspecify;
    // HotSpotDiagnosticMXBean.dumpThreads: the one census that lists virtual threads.
    requires jdk.management;

    exports org.cancelkit.testkit;
}
