package org.cancelkit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One cancel walk: the marking of each node, the nodes still to mark and the listeners the marking
 * released ({@link Node#walk}; the invariants it keeps are Node's). The queue and the list are made on
 * first use, so that closing a leaf with no listener left, the end of every {@code Timeout.call},
 * allocates only this. Confined to the walking thread.
 */
final class Walk {
    private @Nullable ArrayDeque<Node> stack;
    @Nullable List<Listener> released;

    void push(Node n) {
        if (stack == null) {
            stack = new ArrayDeque<>();
        }
        stack.push(n);
    }

    @Nullable Node poll() {
        return stack == null ? null : stack.poll();
    }

    void release(Listener l) {
        if (released == null) {
            released = new ArrayList<>(4);
        }
        released.add(l);
    }

    /**
     * Marks one node (Node, invariant 1) and queues its children; returns whether it took {@code c}.
     */
    boolean mark(Node n, Cancel c, boolean hard) {
        Link detached = null;
        boolean took = false;
        Cancel stoppedAt = null;
        synchronized (n) {
            Object h = n.head;
            Cancel s = Node.stateOf(h);
            if (s != null && (s.hard || !hard)) {
                stoppedAt = s; // another operation got here first: it marks what lies below
            } else {
                took = s == null;
                Link first = Node.firstOf(h);
                if (hard) {
                    // a SOFT node hardens with its own operation's hard form (Node, invariant 1); the
                    // list is detached by the same store (Node, invariant 2)
                    Node.HEAD.setRelease(n, took ? c.hardForm() : s.hardForm());
                    detached = first;
                } else {
                    Node.HEAD.setRelease(n, new Node.Soft(c, first));
                    for (Link k = first; k != null; ) {
                        Link next = k.next;
                        if (k instanceof Node child) {
                            push(child); // children stay linked (Node, invariant 5)
                        } else if (!((Listener) k).interruptor()) {
                            n.unlinkLocked(k);
                            release((Listener) k);
                        }
                        k = next;
                    }
                }
            }
        }
        if (stoppedAt != null && stoppedAt.op != c.op) {
            stoppedAt.awaitPropagated(); // invariant 6
            return false;
        }
        if (hard && n.scope.ownedBy(n)) {
            n.scope.retire(); // invariant 4
        }
        for (Link k = detached; k != null; k = k.next) { // invariant 3: safe without the lock
            if (k instanceof Node child) {
                push(child);
            } else {
                release((Listener) k);
            }
        }
        return took;
    }
}
