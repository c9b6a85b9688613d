package org.cancelkit.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Sends a header exactly as given, as a hostile or broken client would: grpc-java's own client writes
 * {@code grpc-timeout} only from a call's deadline, so a call without one carries this value as is.
 */
record RawHeaders(String name, String value) implements ClientInterceptor {

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
                                                               CallOptions callOptions, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
            @Override
            public void start(Listener<RespT> listener, Metadata headers) {
                headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
                super.start(listener, headers);
            }
        };
    }
}
