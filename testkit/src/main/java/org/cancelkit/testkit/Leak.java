package org.cancelkit.testkit;

/**
 * The leak checks the kit ships; {@link Leaks} runs them around a region of code, and
 * {@link CancelkitTest#leakChecks()} picks them for a test.
 *
 * <p>Each check compares a census taken before the region with one taken after it: what the region
 * found already there is never its leak.
 */
public enum Leak {
    /**
     * Threads started inside the region and still alive after it (C1: no work outlives its scope).
     * Sees platform and virtual threads alike, through the JDK's JSON thread dump, which lists every
     * virtual thread whether started directly, by an executor or by a structured task scope. The JDK's
     * own service threads (virtual-thread carriers and pollers, the common pool when idle, the cleaner,
     * cancelkit's timer, offload and redelivery threads) are ignored; add your own with
     * {@link Leaks#ignoringThreads}. Strict: a thread that is about to end but has not is reported, so
     * join what you start.
     */
    THREADS,

    /**
     * File descriptors opened inside the region and still open after it: files, sockets, pipes,
     * selectors. Reads {@code /proc/self/fd}, so Linux only (elsewhere the check finds nothing).
     * Sees descriptors, not who opened them; descriptors of jar files (opened lazily by class
     * loading) are ignored.
     */
    FILE_DESCRIPTORS,

    /**
     * Temporary files left behind: files whose name matches a glob (by default names containing
     * {@code .cancelkit-} or ending in {@code .cancelkit.tmp}, the names cancelkit's file writers
     * give their temporary files) that appeared in the watched directories during the region. See
     * {@link TempFiles}.
     */
    TEMP_FILES,

    /**
     * {@code onCancel} registrations made inside the region, never closed, on a token that outlives
     * it (a token whose tree was created before the region): the callback and everything it holds stay
     * reachable from that token until it is cancelled. Registrations made on threads that do not
     * inherit the region's scoped values (a plain {@code Thread.start}) are not seen. It keeps a record
     * and a stack of every registration made during the region: leave it off for a test that
     * registers millions of callbacks.
     */
    REGISTRATIONS
}
