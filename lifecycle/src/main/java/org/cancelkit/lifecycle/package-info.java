/**
 * An application as a tree of workers that shuts down gracefully, on a signal (Ctrl+C, SIGTERM) or
 * a call.
 *
 * <h2>The promise (DESIGN.md, "Lifecycle")</h2>
 * L1: on SIGTERM/SIGINT or a programmatic shutdown, workers stop in reverse start order (or by
 * declared phase), each with a grace period to finish; those past it are cancelled hard; the
 * shutdown ends within its total budget and reports each worker's outcome.
 *
 * <h2>Where to start</h2>
 * {@link org.cancelkit.lifecycle.Application} holds the tree and runs the shutdown;
 * {@link org.cancelkit.lifecycle.Worker} and {@link org.cancelkit.lifecycle.WorkerGroup} are its
 * nodes; {@link org.cancelkit.lifecycle.ShutdownReport} says how each worker stopped.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>A soft cancel interrupts nothing: a worker blocked in a call that does not watch its token
 *       (a socket read, a queue take outside {@code token.run}) only notices at the hard cancel, at
 *       the end of its grace. Wait with cancelkit ({@code Cancellation.sleep},
 *       {@code token.awaitCancellation}) or check {@code token.isCancelled()} in loops.</li>
 *   <li>Cleanup after the soft cancel runs inside a cancelled token: every cancellation point throws
 *       at once. Run cleanup that must wait or block in {@code Cancellation.shielded(...)}, bounded by
 *       the grace.</li>
 *   <li>A worker that swallows {@code InterruptedException} and keeps going cannot be stopped: it is
 *       reported as abandoned, with its stack, and left running. Rethrow it or restore the flag.</li>
 * </ul>
 */
@NullMarked
package org.cancelkit.lifecycle;

import org.jspecify.annotations.NullMarked;
