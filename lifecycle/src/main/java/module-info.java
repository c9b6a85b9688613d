/**
 * cancelkit lifecycle: an application as a tree of workers, started in order and shut down in
 * reverse order on SIGTERM, SIGINT or request, each worker with a grace period, the whole within a
 * budget, and a report of how each one stopped.
 *
 * <p>Start with {@link org.cancelkit.lifecycle.Application}.
 */
module org.cancelkit.lifecycle {
    requires transitive org.cancelkit;
    requires static transitive org.jspecify;
    // sun.misc.Signal: the only way in the JDK to handle SIGTERM/SIGINT instead of exiting.
    requires jdk.unsupported;
    // Flight Recorder events (part of the JDK), committed when a recording enables them.
    requires jdk.jfr;

    exports org.cancelkit.lifecycle;
}
