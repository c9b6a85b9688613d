/**
 * The {@code cancelkit} command: {@code cancelkit tour} runs every scenario live and checks the
 * invariant it demonstrates.
 */
@SuppressWarnings("requires-automatic")
module org.cancelkit.cli {
    requires org.cancelkit;
    requires org.cancelkit.io;
    requires org.cancelkit.jobs;
    requires org.cancelkit.jdbc;
    requires org.cancelkit.jobs.postgres;
    requires org.cancelkit.lifecycle;
    requires org.cancelkit.http;
    requires org.cancelkit.jetty;
    requires org.eclipse.jetty.http2.server;
    requires org.cancelkit.grpc;
    // grpc-java ships no module descriptors: automatic modules named by their manifests.
    requires io.grpc.stub;
    requires io.grpc.netty.shaded;
    requires info.picocli;
    requires static org.jspecify;

    opens org.cancelkit.cli to info.picocli;
}
