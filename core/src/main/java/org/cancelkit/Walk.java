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
        Node children = null;
        Listener listeners = null;
        boolean took = false;
        Cancel stoppedAt = null;
        synchronized (n) {
            Cancel s = n.state;
            if (s != null && (s.hard || !hard)) {
                stoppedAt = s; // another operation got here first: it marks what lies below
            } else {
                took = s == null;
                if (hard) {
                    // a SOFT node hardens with its own operation's hard form (Node, invariant 1)
                    Node.STATE.setRelease(n, took ? c.hardForm() : s.hardForm());
                    children = n.firstChild;
                    listeners = n.firstListener;
                    n.firstChild = null; // Node, invariant 2: detached
                    n.firstListener = null;
                } else {
                    Node.STATE.setRelease(n, c);
                    for (Node k = n.firstChild; k != null; k = k.nextSibling) {
                        push(k); // children stay linked (Node, invariant 5)
                    }
                    for (Listener l = n.firstListener; l != null; ) {
                        Listener next = l.next;
                        if (!l.interruptor()) {
                            n.removeLocked(l);
                            release(l);
                        }
                        l = next;
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
        for (Node k = children; k != null; k = k.nextSibling) { // invariant 3: safe without the lock
            push(k);
        }
        for (Listener l = listeners; l != null; l = l.next) {
            l.linked = false;
            release(l);
        }
        return took;
    }
}
