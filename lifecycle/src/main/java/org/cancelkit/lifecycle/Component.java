package org.cancelkit.lifecycle;

/**
 * A node of an application's tree: a {@link Worker} or a {@link WorkerGroup}.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface Component permits Worker, WorkerGroup {
    /**
     * Returns the name, unique among its siblings, without {@code '/'}.
     *
     * @return the name
     */
    String name();

    /**
     * Returns the shutdown phase: among siblings, higher phases stop first, and within one phase the
     * last started stops first. Zero unless declared.
     *
     * @return the phase
     */
    int phase();
}
