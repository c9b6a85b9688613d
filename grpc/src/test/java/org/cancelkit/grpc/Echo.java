package org.cancelkit.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A hand-written gRPC service of strings (no protobuf): a unary method and a server-streaming one,
 * whose handlers each test supplies.
 */
final class Echo {
    private Echo() {}

    static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<String, String> UNARY = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("demo.Echo/Unary")
            .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();

    static final MethodDescriptor<String, String> STREAM = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName("demo.Echo/Stream")
            .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();

    /** A unary handler: plain blocking code. */
    interface Unary {
        String handle(String request) throws Exception;
    }

    /** A streaming handler: plain blocking code that sends to {@code out} and returns when done. */
    interface Streaming {
        void handle(String request, StreamObserver<String> out) throws Exception;
    }

    static ServerServiceDefinition service(Unary unary, Streaming streaming) {
        return ServerServiceDefinition.builder("demo.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, out) -> {
                    String reply = invoke(() -> unary.handle(request));
                    out.onNext(reply);
                    out.onCompleted();
                }))
                .addMethod(STREAM, ServerCalls.asyncServerStreamingCall((request, out) -> {
                    invoke(() -> {
                        streaming.handle(request, out);
                        return null;
                    });
                    out.onCompleted();
                }))
                .build();
    }

    static ServerServiceDefinition unary(Unary unary) {
        return service(unary, (request, out) -> out.onNext(unary.handle(request)));
    }

    static ServerServiceDefinition streaming(Streaming streaming) {
        return service(request -> request, streaming);
    }

    private interface Body<T> {
        T run() throws Exception;
    }

    /** Lets the handler's exception escape as it is; a checked one is wrapped, its cause kept. */
    private static <T> T invoke(Body<T> body) {
        try {
            return body.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new HandlerException(e);
        }
    }

    /** A checked exception thrown by a handler, carried out of grpc-stub's interfaces. */
    static final class HandlerException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandlerException(Exception cause) {
            super(cause);
        }
    }
}
