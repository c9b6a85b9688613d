/**
 * gRPC with cancellation that crosses the process edge, on grpc-java.
 *
 * <h2>The promises (DESIGN.md, "gRPC")</h2>
 * <ul>
 *   <li>G1: every server call's handler runs bound to its own token, a child of the server's:
 *       {@link org.cancelkit.Cancellation#current()} is that token, and it is cancelled when the client
 *       cancels, the call's deadline passes or the server drains
 *       ({@link org.cancelkit.grpc.CancellationServerInterceptor}).</li>
 *   <li>G2: a server adopts the caller's deadline ({@code grpc-timeout}, Envoy's header) less a transit
 *       allowance, capped by its own maximum; a call with none gets the maximum
 *       ({@link org.cancelkit.grpc.GrpcServerOptions}).</li>
 *   <li>G3: a call stopped by its token ends with the status that says why: {@code DEADLINE_EXCEEDED},
 *       {@code UNAVAILABLE} (drain) or {@code CANCELLED}, with the reason in its description.</li>
 *   <li>G4: a drain refuses new calls, gives in-flight ones their grace, then stops them hard, and
 *       reports each one's outcome ({@link org.cancelkit.grpc.GrpcServer#drain}).</li>
 *   <li>G5: a client call made under a token gets the earlier of its own deadline and the token's,
 *       and is cancelled with the token; a {@code DEADLINE_EXCEEDED} that the caller's own deadline
 *       explains surfaces as the caller's cancellation
 *       ({@link org.cancelkit.grpc.CancellationClientInterceptor}).</li>
 * </ul>
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Deadlines travel as time left; the receiver starts counting when the call arrives, so time on
 *       the wire is not counted: that is what the transit allowance is for.</li>
 *   <li>A handler that ignores interrupts and never checks cannot be stopped; its token only tells
 *       it to stop. A drain reports such a handler as still running.</li>
 * </ul>
 */
@NullMarked
package org.cancelkit.grpc;

import org.jspecify.annotations.NullMarked;
