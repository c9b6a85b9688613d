/**
 * cancelkit grpc: gRPC calls bound to cancellation tokens, on grpc-java. On the server, every call's
 * handler runs on a virtual thread bound to its own token (the caller's deadline capped by the
 * server's maximum, cancelled when the client cancels or the server drains); on the client, a call
 * follows the caller's token and deadline.
 *
 * <p>Start with {@link org.cancelkit.grpc.GrpcServer}, {@link org.cancelkit.grpc.CancellationServerInterceptor}
 * and {@link org.cancelkit.grpc.CancellationClientInterceptor}.
 */
// grpc-java 1.85 ships no module descriptors: io.grpc (grpc-api) is an automatic module, named by its
// manifest's Automatic-Module-Name.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.cancelkit.grpc {
    requires transitive org.cancelkit;
    requires transitive io.grpc;
    // GrpcServerWorker: a server drained by an application's shutdown.
    requires transitive org.cancelkit.lifecycle;
    requires static transitive org.jspecify;

    exports org.cancelkit.grpc;
}
