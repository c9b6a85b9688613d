package org.cancelkit;

/**
 * The stripes of a root shared by many threads (Node, invariant 9): hidden children of the root that
 * share its scope, made on first use, one per slot, chosen by the creating thread's id. Threads making
 * and closing children of one shared root (a server's, with a request token per call) then take
 * different locks and touch different memory.
 *
 * <p>The array lives in the root's {@link Scope} ({@link Scope.Root#stripes}); a slot is written under the
 * root's lock and read without it: a stripe's fields that a reader needs are final, and its lists are
 * guarded by its own lock.
 */
final class Stripes {
    /** How many stripes a shared root spreads its children over: a power of two, twice the processors (at most 64). */
    static final int COUNT = Math.min(64, Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 2 - 1) * 2);

    /** How many links of a root's list {@link #holdsChild} looks at before it answers yes. */
    static final int SCAN = 8;

    private Stripes() {}

    /**
     * Whether a root's list starting at {@code first} holds a child, or is longer than {@link #SCAN}
     * links (Node, invariant 9): a bounded look, so that linking a child under a root with many
     * listeners costs the same as under one with none. The caller holds the lock of the list's node.
     */
    static boolean holdsChild(Link first) {
        int seen = 0;
        for (Link k = first; k != null; k = k.next) {
            if (k instanceof Node || ++seen > SCAN) {
                return true;
            }
        }
        return false;
    }

    /** The stripe of {@code root} for the running thread, made (and linked as a child) on first use. */
    static Node pick(Node root, Node[] st) {
        int i = (int) Thread.currentThread().threadId() & (st.length - 1);
        Node s = st[i];
        if (s == null) {
            synchronized (root) {
                s = st[i];
                if (s == null) {
                    s = new Node(root, root.scope);
                    root.link(s);
                    st[i] = s;
                }
            }
        }
        return s;
    }

    /** Whether {@code n} is one of its root's stripes (Node, invariant 9). */
    static boolean isStripe(Node n) {
        Node p = n.parent;
        Node[] st = p == null || p.parent != null ? null : p.scope.stripes();
        if (st != null) {
            for (Node s : st) {
                if (s == n) {
                    return true;
                }
            }
        }
        return false;
    }

    /** How many children and listeners are linked to {@code node} now; a root's stripes count as what they hold. */
    static int linkedCount(Node node) {
        int n = 0;
        Node[] st = node.parent == null ? node.scope.stripes() : null;
        synchronized (node) {
            for (Link k = Node.firstOf(node.head); k != null; k = k.next) {
                n += k instanceof Node child && isStripe(child) ? 0 : 1;
            }
        }
        if (st != null) { // one lock at a time: each stripe's count is taken after the node's
            for (Node s : st) {
                n += s == null ? 0 : linkedCount(s);
            }
        }
        return n;
    }
}
