/**
 * Cancellation, timeouts and cleanup, built on virtual threads.
 *
 * <h2>The model</h2>
 * A {@link org.cancelkit.CancellationToken} is a node in a tree. Cancelling a node cancels its whole
 * subtree, with one reason that never changes; a node may carry a deadline, and a child's effective
 * deadline is the earlier of its own and its parent's. Code runs <em>bound</em> to a token
 * ({@link org.cancelkit.CancellationToken#call}, {@link org.cancelkit.Timeout#call}); cancellation
 * then reaches it at its cancellation points: explicit checks ({@link org.cancelkit.Cancellation#check()}),
 * library waits ({@link org.cancelkit.Cancellation#sleep}), and every interruptible blocking call of
 * the JDK, which the library interrupts. When the bound region returns, every interrupt the library
 * sent is gone.
 *
 * <h2>Two outcomes, two types</h2>
 * {@link org.cancelkit.CancelledException} means "stop and unwind": someone else decided. A timeout's
 * <em>own</em> deadline expiring is a failure its caller sees, {@link org.cancelkit.DeadlineExceededException}.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Code that catches {@link java.lang.InterruptedException} and carries on defeats every timeout:
 *       rethrow it, or restore the flag with {@code Thread.currentThread().interrupt()}.</li>
 *   <li>A loop that never blocks and never checks cannot be stopped: call
 *       {@link org.cancelkit.Cancellation#check()} every few hundred iterations.</li>
 *   <li>An interrupt closes a {@link java.nio.channels.FileChannel} (and other interruptible channels)
 *       mid-write. Code holding a shared channel should run in {@link org.cancelkit.Cancellation#shielded}
 *       or a cancel-action region ({@link org.cancelkit.Cancellation#withCancelAction}) and check
 *       cooperatively.</li>
 *   <li>I/O that ignores interrupts (classic socket streams on platform threads, JDBC drivers) is not a
 *       cancellation point: give it a cancel action that closes or cancels the resource.</li>
 * </ul>
 */
@NullMarked
package org.cancelkit;

import org.jspecify.annotations.NullMarked;
