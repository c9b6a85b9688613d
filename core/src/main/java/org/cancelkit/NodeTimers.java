package org.cancelkit;

import org.cancelkit.internal.TimerEntry;

/**
 * What a node's timers run: the end of a soft cancel's grace (a node's own deadline is its
 * {@link Scope}), and where a walk released by the timer runs (Node, invariant 8).
 */
final class NodeTimers {
    private NodeTimers() {}

    /** Arms the end of {@code node}'s soft cancel: it turns hard {@code graceNanos} from now (C8). */
    static void hardenAfter(Node node, long graceNanos) {
        MonotonicClock clock = node.scope.clock;
        clock.timer().arm(new HardeningEntry(node, Durations.deadlineAfter(clock.nanoTime(), graceNanos)));
    }

    /** Runs {@code walk} here, or off the timer thread when more than one node hangs below {@code node} (Node, invariant 8). */
    static void offTimerIfLarge(Node node, Runnable walk) {
        if (TimerEntry.onTimerThread() && largeBelow(node)) {
            Offload.run(walk);
        } else {
            walk.run();
        }
    }

    /**
     * Whether more than one node hangs below {@code node}: two children, or a child with its own. One
     * childless child (a timeout's body in {@code Cancellation.sleep}) is walked inline: handing each
     * expiry of a herd to another thread would cost more than the walk. The look is bounded: a list
     * longer than {@link Stripes#SCAN} links counts as large without being searched.
     */
    private static boolean largeBelow(Node node) {
        Node only = null;
        synchronized (node) {
            int seen = 0;
            for (Link k = Node.firstOf(node.head); k != null; k = k.next) {
                if (++seen > Stripes.SCAN) {
                    return true;
                }
                if (k instanceof Node child) {
                    if (only != null) {
                        return true;
                    }
                    only = child;
                }
            }
        }
        if (only == null) {
            return false;
        }
        synchronized (only) { // one lock at a time
            return Stripes.holdsChild(Node.firstOf(only.head));
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
            return node.isHard();
        }

        @Override
        protected void fire() {
            Cancel c = node.state();
            if (c == null) {
                return;
            }
            offTimerIfLarge(node, () -> {
                long walkStart = Emit.walkStart();
                node.walk(c, true);
                Emit.tokenHardened(node, c, c.reason, walkStart); // the grace ran out
            });
        }
    }
}
