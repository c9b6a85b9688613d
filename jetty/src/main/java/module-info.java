/**
 * cancelkit jetty: a Jetty 12 handler wrapper that gives every request a cancellation token with the
 * caller's deadline (read from {@link org.cancelkit.http.DeadlineHeader}), bounded by the server's
 * maximum, and cancels it when the client goes away.
 *
 * <p>Start with {@link org.cancelkit.jetty.DeadlineHandler} and {@link org.cancelkit.jetty.HandlerOptions}.
 * The client side, and the header's format, are in module {@code org.cancelkit.http}, which this module
 * reads transitively: a server that adopts a deadline usually passes it on with
 * {@link org.cancelkit.http.DeadlineClient}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.cancelkit.jetty {
    requires transitive org.cancelkit;
    requires transitive org.cancelkit.http;
    requires transitive org.eclipse.jetty.server;
    requires static transitive org.jspecify;

    exports org.cancelkit.jetty;
}
