/**
 * The server side of deadlines that hold end to end: each Jetty request runs bound to a token.
 *
 * <h2>The promise (DESIGN.md, "HTTP")</h2>
 * <ul>
 *   <li>H4: the remaining deadline travels in the {@value org.cancelkit.http.DeadlineHeader#NAME}
 *       header; {@link org.cancelkit.jetty.DeadlineHandler} adopts it, bounded by the server's
 *       {@linkplain org.cancelkit.jetty.HandlerOptions#maximum() maximum} (which a request without the
 *       header gets), and cancels the handler's token when its client disconnects.</li>
 * </ul>
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>A deadline in the header is relative (milliseconds left), because two machines' clocks do not
 *       agree; the time spent on the wire is not subtracted, so the server's deadline is a little
 *       later than the client's.</li>
 *   <li>Jetty notices a client that went away only when the connection tells it: over HTTP/2 a reset
 *       stream does at once; over HTTP/1.1 Jetty does not watch the connection while a handler runs,
 *       and a client that silently vanished (power loss, a dropped network) tells nobody. Then only
 *       the propagated deadline, or the server's maximum, stops the handler. See
 *       {@link org.cancelkit.jetty.DeadlineHandler}.</li>
 *   <li>A handler that ignores interrupts and never checks {@link org.cancelkit.Cancellation#check()}
 *       cannot be stopped; the token only tells it to stop, and the server's maximum cannot free its
 *       thread.</li>
 * </ul>
 */
@NullMarked
package org.cancelkit.jetty;

import org.jspecify.annotations.NullMarked;
