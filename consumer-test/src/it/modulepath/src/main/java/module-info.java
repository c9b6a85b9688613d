/** A user's application on the module path: it names cancelkit's modules and nothing else of theirs. */
module com.example.consumer {
    requires org.cancelkit;
    requires org.cancelkit.io;
    requires org.cancelkit.jobs;
    requires org.cancelkit.http;
    requires org.cancelkit.jetty;
    requires org.cancelkit.jdbc;
    requires org.cancelkit.lifecycle;
    requires org.cancelkit.testkit;
    requires jdk.httpserver;

    // A job's state record is read and written by Jackson, which the jobs module uses.
    exports com.example.consumer to com.fasterxml.jackson.databind;
}
