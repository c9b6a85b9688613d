package org.cancelkit.io;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Runs crash-test work in a few parallel lanes (child JVMs start faster two at a time on two cores). */
final class Lanes {
    private Lanes() {}

    static void run(int lanes, List<Callable<Void>> work, long seed) throws InterruptedException {
        ConcurrentLinkedQueue<Callable<Void>> queue = new ConcurrentLinkedQueue<>(work);
        List<Throwable> failures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int l = 0; l < lanes; l++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (Callable<Void> w; (w = queue.poll()) != null; ) {
                    try {
                        w.call();
                    } catch (Throwable e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                        queue.clear();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("seed " + seed + ": " + failures.getFirst(), failures.getFirst());
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }
}
