/**
 * Testing code that uses cancelkit: virtual time, cancellation at every point, ordered steps and
 * leak checks, with a JUnit Jupiter extension.
 *
 * <h2>The pieces</h2>
 * <ul>
 *   <li>{@link org.cancelkit.testkit.CancelkitTest}: annotate a test class; each test gets a fresh
 *       auto-advancing {@link org.cancelkit.testkit.VirtualClock} (a parameter, if it wants one), optional
 *       {@link org.cancelkit.testkit.Steps}, and fails when it leaks threads, file descriptors, temp
 *       files or {@code onCancel} registrations.</li>
 *   <li>{@link org.cancelkit.testkit.CancellationExplorer}: runs an operation once to count its
 *       cancellation points, then once per point cancelled (or failed) there, and checks your
 *       invariants after each run.</li>
 *   <li>{@link org.cancelkit.testkit.CancellationAssertions}: {@code assertCancellationPoint},
 *       {@code assertNoCancellationPoint}.</li>
 *   <li>{@link org.cancelkit.testkit.Leaks}: the leak checks on their own, for any region and any
 *       test framework, with an extension point ({@link org.cancelkit.testkit.LeakCheck}).</li>
 * </ul>
 *
 * <h2>Virtual time</h2>
 * The kit's virtual time is {@link org.cancelkit.testkit.VirtualClock}, a clock over core's clock
 * service provider interface ({@code org.cancelkit.spi}): {@code advance},
 * {@code advanceToNextTimer}, {@code autoAdvance}, {@code fork}/{@code join} for participant
 * threads, {@code awaitParked} to know a thread has reached its wait. Outside JUnit bind one
 * yourself: {@code VirtualClock.create().autoAdvance().run(() -> ...)}.
 *
 * <p>What it cannot see: only cancelkit's waits follow it. {@code Thread.sleep}, timed
 * {@code Object.wait}/{@code Lock} waits, socket, HTTP and JDBC timeouts, and
 * {@code System.nanoTime()} stay on real time; a participant blocked in one counts as busy, so an
 * auto-advancing clock holds still while it blocks (it never fast-forwards past real work).
 */
@NullMarked
package org.cancelkit.testkit;

import org.jspecify.annotations.NullMarked;
