/**
 * cancelkit jobs: long jobs over a sequence of items that can be cancelled, crash or be killed at any
 * moment and resume from their last checkpoint, with every item's output written exactly once.
 *
 * <p>Start with {@link org.cancelkit.jobs.Job}.
 */
@SuppressWarnings("module") // the qualified export names jobs-postgres, which is built after this module
module org.cancelkit.jobs {
    requires transitive org.cancelkit;
    requires org.cancelkit.io;
    requires com.fasterxml.jackson.databind;
    requires static transitive org.jspecify;
    // Flight Recorder events (part of the JDK), committed when a recording enables them.
    requires jdk.jfr;

    exports org.cancelkit.jobs;
    // The checkpoint codecs' shared JSON (CheckpointJson): not API, for the database store only.
    exports org.cancelkit.jobs.internal to org.cancelkit.jobs.postgres;
}
