package org.cancelkit;

import org.jspecify.annotations.Nullable;

/**
 * An element of a node's one list: a child {@link Node} or a {@link Listener} (Node, invariant 2).
 * One list with the links in the elements themselves is what keeps a node at five references.
 *
 * <p>Fields: guarded by the lock of the node whose list holds the element while it is there; once a
 * canceller has detached that list they are the canceller's alone (Node, invariant 3). A handle that
 * is never in a list ({@link TokenView}) leaves them null.
 */
abstract class Link {
    @Nullable Link prev;
    @Nullable Link next;

    Link() {}
}
