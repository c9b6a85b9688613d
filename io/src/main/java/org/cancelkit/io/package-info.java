/**
 * Files replaced whole or not at all, groups of files changed all together or not at all, and
 * recovery of what a crash leaves behind.
 *
 * <h2>The promises (DESIGN.md, "Files")</h2>
 * <ul>
 *   <li>F1: a reader, at any moment and after any crash, sees the complete old or the complete new
 *       content of a target: never empty, partial or mixed.</li>
 *   <li>F2: a commit returns normally only when the new content and its directory entry are durable.</li>
 *   <li>F3: an abort (exception, cancellation, close without commit) leaves the target untouched and
 *       removes the temporary file; a crash's leftovers have recognisable names and
 *       {@link org.cancelkit.io.AtomicFiles#recover} removes them.</li>
 *   <li>F4: a {@link org.cancelkit.io.FileTransaction} applies all of its files or none, across crashes.</li>
 *   <li>F5: recovery never touches a file outside its directory nor follows a link, and acts only on
 *       records a transaction could have written there; others are refused and reported in
 *       {@link org.cancelkit.io.RecoveryReport#refused()}.</li>
 * </ul>
 *
 * <h2>Where to start</h2>
 * {@link org.cancelkit.io.AtomicFiles} for one call; {@link org.cancelkit.io.AtomicFileWriter} to
 * stream content; {@link org.cancelkit.io.FileTransaction} for several files;
 * {@link org.cancelkit.io.AtomicFiles#recover} at start-up; {@link org.cancelkit.io.ExclusiveLock} for
 * one holder at a time across processes.
 *
 * <h2>Cancellation</h2>
 * Everything here reads the current token ({@link org.cancelkit.Cancellation#current()}), so a
 * {@link org.cancelkit.Timeout} or a cancelled {@link org.cancelkit.CancellationToken} stops a write
 * before its point of no return and never after it. Cleanup runs shielded (C6).
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Interrupting a thread closes any {@link java.nio.channels.FileChannel} it is using (the reason
 *       Elasticsearch bans {@code Future.cancel(true)}). The writers here survive it (an interrupt is
 *       treated as a cancel), but your own channels do not: cancel through tokens.</li>
 *   <li>Durability needs a file system that honours fsync. Virtual machines and some disks with
 *       volatile write caches do not; nothing in a library can fix that.</li>
 *   <li>Run {@link org.cancelkit.io.AtomicFiles#recover} at start-up on directories you write to, so
 *       a crash's leftovers do not accumulate.</li>
 * </ul>
 */
@NullMarked
package org.cancelkit.io;

import org.jspecify.annotations.NullMarked;
