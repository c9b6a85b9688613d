package org.cancelkit;

import org.cancelkit.internal.TimerEntry;
import org.jspecify.annotations.Nullable;

/** The timer entries of the tree: a node's own deadline, and the end of a soft cancel's grace. */
final class NodeTimers {
    private NodeTimers() {}

    /** Fires a node's own deadline; lets go of the node once it is HARD (invariant 4). */
    static final class DeadlineEntry extends TimerEntry {
        private volatile @Nullable Node node;

        DeadlineEntry(Node node, long deadline) {
            super(deadline);
            this.node = node;
        }

        void retire() {
            node = null;
        }

        @Override
        protected boolean isRetired() {
            Node n = node;
            return n == null || n.phase == Node.HARD;
        }

        @Override
        protected void fire() {
            Node n = node;
            if (n != null) {
                n.expire();
            }
        }
    }

    /** Turns a soft cancel hard when its grace has passed (C8). */
    static final class HardeningEntry extends TimerEntry {
        private final Node node;

        HardeningEntry(Node node, long at) {
            super(at);
            this.node = node;
        }

        @Override
        protected boolean isRetired() {
            return node.phase == Node.HARD;
        }

        @Override
        protected void fire() {
            Cancel c = node.state;
            if (c == null) {
                return;
            }
            if (TimerEntry.onTimerThread() && node.hasChildren()) {
                Offload.run(() -> node.walk(c, true));
            } else {
                node.walk(c, true);
            }
        }
    }
}
