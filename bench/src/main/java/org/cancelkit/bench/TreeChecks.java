package org.cancelkit.bench;

import java.lang.management.ManagementFactory;
import org.cancelkit.CancellationSource;

/**
 * Part of benchmark 4: a 10,000-deep chain of tokens (and a 100,000-deep one) cancels from its root
 * without a {@link StackOverflowError}, on a platform thread with the default stack size, and its
 * deepest token then reports cancelled. Closing the chain from the leaf up is checked too. Also the
 * bytes a cancel allocates per token for the two trees of {@link CancelTreeBench} (JMH's {@code -prof
 * gc} there also counts the building done in the untimed setup).
 */
public final class TreeChecks {
    private TreeChecks() {}

    /**
     * Runs the checks and prints {@code RESULT} lines.
     *
     * @param args none
     * @throws InterruptedException when interrupted while waiting for the checking thread
     */
    public static void main(String[] args) throws InterruptedException {
        for (int depth : new int[] {10_000, 100_000}) {
            String[] outcome = new String[1];
            Thread t = new Thread(() -> outcome[0] = chain(depth), "chain-" + depth);
            t.start();
            t.join();
            Out.result("chain." + depth, outcome[0]);
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 3; round++) { // the last round counts; the first ones warm up
            CancellationSource flat = CancellationSource.create();
            for (int i = 0; i < CancelTreeBench.FLAT_CHILDREN; i++) {
                flat.child();
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            flat.cancel();
            long flatBytes = threads.getCurrentThreadAllocatedBytes() - before;
            CancelTreeBench.TreeTokens tree = new CancelTreeBench.TreeTokens();
            tree.build();
            before = threads.getCurrentThreadAllocatedBytes();
            tree.root.cancel();
            long treeBytes = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 2) {
                Out.result("alloc.flat", String.format("%.2f", flatBytes / (double) CancelTreeBench.FLAT_TOKENS));
                Out.result("alloc.tree", String.format("%.2f", treeBytes / (double) CancelTreeBench.TREE_TOKENS));
            }
        }
    }

    private static String chain(int depth) {
        try {
            CancellationSource root = CancellationSource.create();
            CancellationSource[] chain = new CancellationSource[depth];
            CancellationSource t = root;
            for (int i = 0; i < depth; i++) {
                t = t.child();
                chain[i] = t;
            }
            long start = System.nanoTime();
            root.cancel();
            long nanos = System.nanoTime() - start;
            if (!chain[depth - 1].isCancelled()) {
                return "FAILED: the deepest token does not report cancelled";
            }
            for (int i = depth - 1; i >= 0; i--) {
                chain[i].close();
            }
            root.close();
            return String.format("ok: cancelled in %.3f ms (one cold run: %.0f ns per token), closed leaf-up",
                    nanos / 1e6,
                    nanos / (double) (depth + 1));
        } catch (StackOverflowError e) {
            return "FAILED: StackOverflowError";
        }
    }
}
