/**
 * HTTP with deadlines that hold end to end: on the client, across the wire, and on the server.
 *
 * <h2>The promises (DESIGN.md, "HTTP")</h2>
 * <ul>
 *   <li>H1: every request has a deadline, the earlier of its own timeout and the current token's
 *       ({@link org.cancelkit.http.DeadlineClient}).</li>
 *   <li>H2: a cancelled request aborts the exchange (the connection is closed, the server sees it) and
 *       returns its bulkhead permit; the circuit breaker counts timeouts and errors, never the
 *       caller's own cancels.</li>
 *   <li>H3: in a {@link org.cancelkit.http.FanOut} the overall deadline bounds every part, a failed
 *       required part cancels its siblings, an optional part degrades to its fallback, and no part
 *       outlives the call (C1).</li>
 *   <li>H4: the remaining deadline travels in the {@value org.cancelkit.http.DeadlineHeader#NAME}
 *       header. On a Jetty server, {@code org.cancelkit.jetty.DeadlineHandler} (artifact
 *       {@code cancelkit-jetty}) adopts it, bounded by the server's maximum (which a request without
 *       the header gets), and cancels the handler's token when its client disconnects.</li>
 * </ul>
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>A deadline in the header is relative (milliseconds left), because two machines' clocks do not
 *       agree; the time spent on the wire is not subtracted, so the server's deadline is a little
 *       later than the client's. The client still gives up at its own deadline.</li>
 *   <li>Jetty notices a client that went away only when the connection tells it: over HTTP/2 a reset
 *       stream does at once; over HTTP/1.1 Jetty does not watch the connection while a handler runs,
 *       and a client that silently vanished (power loss, a dropped network) tells nobody. Then only
 *       the propagated deadline, or the server's maximum, stops the handler. Always send a deadline; prefer HTTP/2 between
 *       services. See {@code org.cancelkit.jetty.DeadlineHandler}.</li>
 *   <li>A handler that ignores interrupts and never checks {@link org.cancelkit.Cancellation#check()}
 *       cannot be stopped; the token only tells it to stop, and the server's maximum cannot free its
 *       thread.</li>
 * </ul>
 */
@NullMarked
package org.cancelkit.http;

import org.jspecify.annotations.NullMarked;
