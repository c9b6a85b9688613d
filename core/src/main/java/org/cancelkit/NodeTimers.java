package org.cancelkit;

import org.cancelkit.internal.TimerEntry;

/** The timer entry of a soft cancel: the end of its grace (a node's own deadline is its {@link Scope}). */
final class NodeTimers {
    private NodeTimers() {}

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
            node.offTimerIfLarge(() -> {
                long walkStart = Emit.walkStart();
                node.walk(c, true);
                Emit.tokenHardened(node, c, c.reason, walkStart); // the grace ran out
            });
        }
    }
}
