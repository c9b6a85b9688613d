package org.cancelkit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One cancel walk's nodes still to mark and the listeners the marking released ({@link Node#walk}).
 * Both are made on first use, so that closing a leaf with no listener left, the end of every
 * {@code Timeout.call}, allocates only this. Confined to the walking thread.
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
}
