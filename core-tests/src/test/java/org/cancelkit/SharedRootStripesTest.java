package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A root shared by many threads (a server's) spreads its children over stripes (Node, invariant 9).
 * The stripes must be invisible: every child is reached by the root's cancel, soft and hard, a child
 * born after the cancel is born cancelled, closed children leave nothing linked, and counts skip the
 * stripes. Threads are chosen by their ids so that at least two stripes are in use; nothing waits on
 * the real clock.
 */
class SharedRootStripesTest {

    /** Platform threads, unstarted, whose ids fall into different stripes: at least two of them. */
    private static List<Thread> threadsOnDistinctStripes(int count, List<Runnable> bodies) {
        assertThat(Stripes.COUNT).as("a machine with one stripe cannot spread").isGreaterThan(1);
        List<Thread> threads = new ArrayList<>();
        Set<Long> slots = new HashSet<>();
        int i = 0;
        while (threads.size() < count) {
            Thread t = Thread.ofPlatform().unstarted(bodies.get(i));
            if (slots.add(t.threadId() & (Stripes.COUNT - 1)) || slots.size() == Stripes.COUNT) {
                threads.add(t);
                i++;
            }
        }
        return threads;
    }

    /** Makes {@code perThread} children of {@code root} on each of {@code threads} threads. */
    private static List<CancellationSource> childrenFromThreads(CancellationToken root, int threads, int perThread)
            throws InterruptedException {
        List<CancellationSource> children = new CopyOnWriteArrayList<>();
        List<Runnable> bodies = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            bodies.add(() -> {
                for (int k = 0; k < perThread; k++) {
                    children.add(root.child());
                }
            });
        }
        List<Thread> started = threadsOnDistinctStripes(threads, bodies);
        for (Thread t : started) {
            t.start();
        }
        for (Thread t : started) {
            t.join();
        }
        return children;
    }

    private static int stripesInUse(CancellationSource root) {
        Node[] st = root.node().scope.stripes();
        int used = 0;
        for (Node s : st == null ? new Node[0] : st) {
            used += s == null ? 0 : 1;
        }
        return used;
    }

    @Test
    @DisplayName("children made by several threads at once are spread over stripes, and a hard cancel reaches every one")
    void hardCancelReachesEveryStripedChild() throws InterruptedException {
        CancellationSource root = CancellationSource.create();
        List<CancellationSource> children = childrenFromThreads(root.token(), 4, 250);
        assertThat(stripesInUse(root)).as("children of threads on different stripes").isGreaterThanOrEqualTo(2);
        assertThat(root.node().linkedCount()).as("the stripes count as what they hold").isEqualTo(1_000);
        List<CancellationSource> grandchildren = new ArrayList<>();
        for (int i = 0; i < children.size(); i += 100) {
            grandchildren.add(children.get(i).token().child());
        }
        CancellationSource unrelated = CancellationSource.create();
        unrelated.token().child(); // negative control: another root's tree is not touched

        root.cancel("shut down");

        assertThat(children).allSatisfy(c -> assertThat(c.token().isCancelledHard()).isTrue());
        assertThat(grandchildren).allSatisfy(c -> assertThat(c.token().isCancelledHard()).isTrue());
        assertThat(children).allSatisfy(c -> assertThat(c.token().reason()).hasValueSatisfying(
                r -> assertThat(r.message()).isEqualTo("shut down")));
        assertThat(unrelated.token().isCancelled()).isFalse();
        assertThat(root.token().child().token().isCancelledHard()).as("a child born after the cancel").isTrue();
        assertThat(root.node().linkedCount()).isZero();
    }

    @Test
    @DisplayName("a soft cancel marks every striped child soft; its grace ends and they all harden")
    void softCancelHardensThroughStripes() throws Exception {
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> {
            CancellationSource root = CancellationSource.create();
            List<CancellationSource> children = childrenFromThreads(root.token(), 3, 50);
            assertThat(stripesInUse(root)).isGreaterThanOrEqualTo(2);

            root.cancel(CancelReason.shutdown("drain"), Duration.ofSeconds(5));
            assertThat(children).allSatisfy(c -> {
                assertThat(c.token().isCancelled()).isTrue();
                assertThat(c.token().isCancelledHard()).isFalse();
            });
            CancellationSource late = root.token().child();
            assertThat(late.token().isCancelled()).as("born soft in the grace").isTrue();
            assertThat(late.token().isCancelledHard()).isFalse();

            clock.advance(Duration.ofSeconds(5));
            assertThat(children).allSatisfy(c -> assertThat(c.token().isCancelledHard()).isTrue());
            assertThat(late.token().isCancelledHard()).isTrue();
        });
    }

    @Test
    @DisplayName("closed children leave nothing linked under a striped root; a child's own cancel does not reach its siblings")
    void closedChildrenUnlinkFromTheirStripe() throws InterruptedException {
        CancellationSource root = CancellationSource.create();
        List<CancellationSource> children = childrenFromThreads(root.token(), 4, 100);
        assertThat(stripesInUse(root)).isGreaterThanOrEqualTo(2);
        children.get(0).cancel("only this one");
        assertThat(children.subList(1, children.size())).noneSatisfy(c -> assertThat(c.token().isCancelled()).isTrue());
        assertThat(root.token().isCancelled()).isFalse();
        assertThat(root.node().linkedCount()).as("the cancelled child unlinked").isEqualTo(399);
        for (CancellationSource c : children) {
            c.close();
        }
        assertThat(root.node().linkedCount()).isZero();
        assertThat(root.token().isCancelled()).as("closing children leaves the root alone").isFalse();
    }

    @Test
    @DisplayName("the cancel event counts the root and its children, not the stripes")
    void eventSubtreeSizeSkipsStripes() throws Exception {
        List<CancelEvent.TokenCancelled> seen = new CopyOnWriteArrayList<>();
        CancellationSource root = CancellationSource.create();
        childrenFromThreads(root.token(), 2, 3);
        assertThat(stripesInUse(root)).isEqualTo(2);
        CancelEvents.Subscription sub = CancelEvents.register(e -> {
            if (e instanceof CancelEvent.TokenCancelled t) {
                seen.add(t);
            }
        });
        try {
            root.cancel("stop");
        } finally {
            sub.close();
        }
        assertThat(seen).singleElement().satisfies(e -> assertThat(e.subtreeSize()).isEqualTo(7));
    }

    @Test
    @DisplayName("negative control: a root that never holds two children at once is not striped")
    void aChainIsNotStriped() {
        CancellationSource root = CancellationSource.create();
        for (int i = 0; i < 1_000; i++) {
            root.token().child().close();
        }
        CancellationSource child = root.token().child();
        child.token().child().token().child();
        assertThat(root.node().scope.stripes()).isNull();
        CancellationSource second = root.token().child();
        assertThat(root.node().scope.stripes()).as("the second child at once turns striping on").isNotNull();
        root.cancel();
        assertThat(second.token().isCancelledHard()).isTrue();
        assertThat(child.token().isCancelledHard()).isTrue();
    }
}
