package org.cancelkit.lifecycle.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.CheckedRunnable;
import org.cancelkit.MonotonicClock;
import org.cancelkit.lifecycle.Component;
import org.cancelkit.lifecycle.Worker;
import org.cancelkit.lifecycle.WorkerGroup;

/**
 * The running tree: one node per component, each with its token (a child of its parent's), built
 * and started depth first in the order given.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li>Start order is depth first, members in the order given; {@code startIndex} counts it.</li>
 *   <li>Stop order: among siblings, highest phase first; within a phase, highest {@code startIndex}
 *       first (the last started stops first); a group stops all of its members, by the same rule,
 *       before the next sibling.</li>
 *   <li>Only the shutdown cancels single workers; a group's token is closed only after each of its
 *       members has stopped or been abandoned, so it never cancels members out of order.</li>
 * </ol>
 *
 * <p>Built and started by the thread that calls {@code Application.start}, under its lock; read
 * afterwards by the shutdown thread (the lock's happens-before).
 */
public final class Tree {
    private sealed interface Node permits Leaf, Group {
        int phase();

        int startIndex();
    }

    private record Leaf(WorkerRun run) implements Node {
        @Override
        public int phase() {
            return run.worker.phase();
        }

        @Override
        public int startIndex() {
            return run.startIndex;
        }
    }

    private record Group(String path, int phase, int startIndex, CancellationSource token, List<Node> members)
            implements Node {}

    private final CancellationSource root;
    private final List<Node> top;
    private final List<WorkerRun> startOrder = new ArrayList<>();
    private final MonotonicClock clock;

    /**
     * Builds the tree under {@code root}; starts nothing.
     *
     * @param root the application's token
     * @param components the top-level components, in start order
     * @param onEnd called on a worker's thread when its body has ended
     */
    public Tree(CancellationSource root, List<Component> components, Consumer<WorkerRun> onEnd) {
        this.root = root;
        this.clock = root.clock();
        this.top = build(root, components, "", onEnd);
    }

    private List<Node> build(CancellationToken parent, List<Component> components, String prefix,
                             Consumer<WorkerRun> onEnd) {
        List<Node> nodes = new ArrayList<>();
        for (Component c : components) {
            String path = prefix + c.name();
            int index = startOrder.size();
            switch (c) {
                case Worker w -> {
                    WorkerRun run = new WorkerRun(path, w, index, parent.child(), newRoot(), onEnd);
                    startOrder.add(run);
                    nodes.add(new Leaf(run));
                }
                case WorkerGroup g -> {
                    CancellationSource token = parent.child();
                    nodes.add(new Group(path, g.phase(), index, token, build(token, g.members(), path + "/", onEnd)));
                }
            }
        }
        return nodes;
    }

    /** The clock of the application's token tree. */
    MonotonicClock clock() {
        return clock;
    }

    /** A root token on this tree's clock, for waiting with a deadline on it. */
    CancellationSource newRoot() {
        return clock.call(CancellationSource::create);
    }

    /** Starts each worker's thread, in start order (rule 1). */
    public void start() {
        for (WorkerRun run : startOrder) {
            run.thread = startThread("worker-" + run.path, run::run);
        }
    }

    /**
     * Starts a virtual thread; on a clock other than the system clock through
     * {@link MonotonicClock#startThread}, so the thread sees the clock and counts as its participant.
     *
     * @param name the thread's name
     * @param body what it runs; must not throw
     * @return the started thread
     */
    private Thread startThread(String name, CheckedRunnable<RuntimeException> body) {
        return clock == MonotonicClock.system() ? Thread.ofVirtual().name(name).start(body::run)
                : clock.startThread(Thread.ofVirtual().name(name), body::run);
    }

    /**
     * Starts a thread of the shutdown machinery (the sequence, a cancel it sends): on the system clock a
     * daemon <em>platform</em> thread, so that it runs even while the workers keep every carrier thread
     * of the virtual-thread scheduler busy (a virtual thread is never preempted: CPU-bound workers as
     * many as the carriers would leave it unscheduled for good); on any other clock a virtual thread
     * through {@link MonotonicClock#startThread}, as {@link #startThread}. Daemon, as the workers'
     * virtual threads: the machinery never keeps the JVM alive by itself.
     *
     * @param name the thread's name
     * @param body what it runs; must not throw
     * @return the started thread
     */
    public Thread startShutdownThread(String name, CheckedRunnable<RuntimeException> body) {
        return clock == MonotonicClock.system() ? Thread.ofPlatform().daemon().name(name).start(body::run)
                : clock.startThread(Thread.ofVirtual().name(name), body::run);
    }

    /** The workers in stop order (rule 2). */
    List<WorkerRun> stopOrder() {
        List<WorkerRun> out = new ArrayList<>();
        addInStopOrder(top, out);
        return out;
    }

    private static void addInStopOrder(List<Node> nodes, List<WorkerRun> out) {
        List<Node> sorted = new ArrayList<>(nodes);
        sorted.sort(Comparator.comparingInt(Node::phase).thenComparingInt(Node::startIndex).reversed());
        for (Node n : sorted) {
            switch (n) {
                case Leaf l -> out.add(l.run());
                case Group g -> addInStopOrder(g.members(), out);
            }
        }
    }

    /** Closes every group's token, then the root's (rule 3: after every member has stopped or been abandoned). */
    void closeAll() {
        closeGroups(top);
        root.close();
    }

    private static void closeGroups(List<Node> nodes) {
        for (Node n : nodes) {
            if (n instanceof Group g) {
                closeGroups(g.members());
                g.token().close();
            }
        }
    }
}
