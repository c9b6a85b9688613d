package org.cancelkit.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import kotlinx.coroutines.Job;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Benchmark 4: cancel a whole tree. Each measured iteration cancels one freshly built tree (built,
 * and the heap collected, in the untimed setup); the score is time per token.
 *
 * <ul>
 *   <li>flat: one parent with {@value #FLAT_CHILDREN} children ({@value #FLAT_TOKENS} tokens).</li>
 *   <li>tree: fan-out {@value #FAN_OUT}, depth {@value #DEPTH} below the root ({@value #TREE_TOKENS}
 *       tokens).</li>
 * </ul>
 * The reference is the same shape of {@link PlainNode}s: a volatile state set by one CAS per node
 * and a child array, walked with an explicit stack: about the least any thread-safe tree can do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CancelTreeBench {
    /** Children of the flat parent. */
    public static final int FLAT_CHILDREN = 100_000;
    /** Tokens in the flat tree, parent included. */
    public static final int FLAT_TOKENS = FLAT_CHILDREN + 1;
    /** Fan-out of the deep tree. */
    public static final int FAN_OUT = 10;
    /** Levels below the root of the deep tree. */
    public static final int DEPTH = 6;
    /** Tokens in the deep tree: 1 + 10 + ... + 10^6. */
    public static final int TREE_TOKENS = 1_111_111;

    /** The minimal thread-safe tree node of the reference. */
    static final class PlainNode {
        private static final VarHandle STATE;
        private static final PlainNode[] NONE = new PlainNode[0];

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(PlainNode.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        volatile int state;
        PlainNode[] children = NONE;
        int count;

        PlainNode child() {
            PlainNode c = new PlainNode();
            if (count == children.length) {
                children = Arrays.copyOf(children, Math.max(4, count * 2));
            }
            children[count++] = c;
            return c;
        }

        boolean mark() {
            return STATE.compareAndSet(this, 0, 1);
        }

        /** Cancels this node and every descendant, depth first with an explicit stack. */
        void cancel() {
            if (!mark()) {
                return;
            }
            ArrayDeque<PlainNode> stack = new ArrayDeque<>();
            PlainNode n = this;
            while (n != null) {
                PlainNode[] cs = n.children;
                for (int i = 0, k = n.count; i < k; i++) {
                    PlainNode c = cs[i];
                    if (c.mark()) {
                        stack.push(c);
                    }
                }
                n = stack.poll();
            }
        }
    }

    /** A freshly built flat tree of tokens per iteration. */
    @State(Scope.Thread)
    public static class FlatTokens {
        CancellationSource root = CancellationSource.create();
        CancellationToken last = CancellationToken.never();

        /** Builds it. */
        @Setup(Level.Iteration)
        public void build() {
            root = CancellationSource.create();
            for (int i = 0; i < FLAT_CHILDREN; i++) {
                last = root.child();
            }
            System.gc();
        }
    }

    /** A freshly built deep tree of tokens per iteration. */
    @State(Scope.Thread)
    public static class TreeTokens {
        CancellationSource root = CancellationSource.create();
        CancellationToken last = CancellationToken.never();

        /** Builds it. */
        @Setup(Level.Iteration)
        public void build() {
            root = CancellationSource.create();
            List<CancellationToken> level = List.of(root);
            int count = 1;
            for (int d = 0; d < DEPTH; d++) {
                List<CancellationToken> next = new ArrayList<>(level.size() * FAN_OUT);
                for (CancellationToken p : level) {
                    for (int i = 0; i < FAN_OUT; i++) {
                        next.add(p.child());
                    }
                }
                count += next.size();
                level = next;
            }
            if (count != TREE_TOKENS) {
                throw new AssertionError("built " + count + " tokens");
            }
            last = level.getLast();
            level = null;
            System.gc();
        }
    }

    /** A freshly built flat tree of plain nodes per iteration. */
    @State(Scope.Thread)
    public static class FlatPlain {
        PlainNode root = new PlainNode();
        PlainNode last = root;

        /** Builds it. */
        @Setup(Level.Iteration)
        public void build() {
            root = new PlainNode();
            for (int i = 0; i < FLAT_CHILDREN; i++) {
                last = root.child();
            }
            System.gc();
        }
    }

    /** A freshly built flat tree of kotlinx.coroutines {@code Job}s per iteration. */
    @State(Scope.Thread)
    public static class FlatJobs {
        Job root = Kx.job(null);
        Job last = root;

        /** Builds it. */
        @Setup(Level.Iteration)
        public void build() {
            root = Kx.job(null);
            for (int i = 0; i < FLAT_CHILDREN; i++) {
                last = Kx.job(root);
            }
            System.gc();
        }
    }

    /** A freshly built deep tree of plain nodes per iteration. */
    @State(Scope.Thread)
    public static class TreePlain {
        PlainNode root = new PlainNode();
        PlainNode last = root;

        /** Builds it. */
        @Setup(Level.Iteration)
        public void build() {
            root = new PlainNode();
            List<PlainNode> level = List.of(root);
            for (int d = 0; d < DEPTH; d++) {
                List<PlainNode> next = new ArrayList<>(level.size() * FAN_OUT);
                for (PlainNode p : level) {
                    for (int i = 0; i < FAN_OUT; i++) {
                        next.add(p.child());
                    }
                }
                level = next;
            }
            last = level.getLast();
            level = null;
            System.gc();
        }
    }

    /**
     * Cancels a parent with {@value #FLAT_CHILDREN} children.
     *
     * @param s the tree
     * @return whether the last child reports cancelled (it must)
     */
    @Benchmark
    @OperationsPerInvocation(FLAT_TOKENS)
    public boolean flatTokens(FlatTokens s) {
        s.root.cancel();
        return s.last.isCancelled();
    }

    /**
     * The reference for {@link #flatTokens}.
     *
     * @param s the tree
     * @return whether the last child is marked
     */
    @Benchmark
    @OperationsPerInvocation(FLAT_TOKENS)
    public boolean flatPlain(FlatPlain s) {
        s.root.cancel();
        return s.last.state != 0;
    }

    /**
     * The peer of {@link #flatTokens}: kotlinx.coroutines, a {@code Job()} with {@value #FLAT_CHILDREN}
     * {@code Job(parent)} children, cancelled with {@code cancel()}.
     *
     * @param s the tree
     * @return whether the last child reports cancelled (it must)
     */
    @Benchmark
    @OperationsPerInvocation(FLAT_TOKENS)
    public boolean flatKotlinxJobs(FlatJobs s) {
        Kx.cancel(s.root);
        return s.last.isCancelled();
    }

    /**
     * Cancels the root of a {@value #TREE_TOKENS}-token tree.
     *
     * @param s the tree
     * @return whether the last leaf reports cancelled (it must)
     */
    @Benchmark
    @OperationsPerInvocation(TREE_TOKENS)
    public boolean treeTokens(TreeTokens s) {
        s.root.cancel();
        return s.last.isCancelled();
    }

    /**
     * The reference for {@link #treeTokens}.
     *
     * @param s the tree
     * @return whether the last leaf is marked
     */
    @Benchmark
    @OperationsPerInvocation(TREE_TOKENS)
    public boolean treePlain(TreePlain s) {
        s.root.cancel();
        return s.last.state != 0;
    }
}
