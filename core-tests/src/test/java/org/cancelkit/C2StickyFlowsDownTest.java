package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * C2: cancellation is sticky and flows down. Once cancelled a token stays cancelled with one reason;
 * when {@code cancel()} returns every descendant reports cancelled; cancelling a child never cancels
 * its parent or siblings. The random-tree version is {@link C3DeadlineAlgebraPropertyTest}; the
 * machine-checked races live in the races module.
 */
@org.junit.jupiter.api.Timeout(60)
class C2StickyFlowsDownTest {

    @Test
    @DisplayName("C2: sticky, one reason: a second cancel, a close or a deadline never changes it")
    void c2_stickyWithOneReason() {
        CancellationSource token = CancellationSource.create();
        CancelReason first = CancelReason.requested("first");
        assertThat(token.cancel(first)).isTrue();
        assertThat(token.cancel(CancelReason.shutdown("second"))).isFalse();
        assertThat(token.cancel()).isFalse();
        token.close();
        assertThat(token.isCancelled()).isTrue();
        assertThat(token.reason()).containsSame(first);
        assertThatThrownBy(token::throwIfCancelled).isInstanceOf(CancelledException.class)
                .satisfies(e -> assertThat(((CancelledException) e).reason()).isSameAs(first));
    }

    @Test
    @DisplayName("C2: when cancel() returns, every descendant of a wide and deep tree reports cancelled, "
            + "with the same reason object; the parent and siblings of the cancelled token do not")
    void c2_flowsDownNeverUp() {
        CancellationSource root = CancellationSource.create();
        CancellationSource left = root.child();
        CancellationSource right = root.child();
        List<CancellationSource> below = new ArrayList<>();
        List<CancellationSource> frontier = List.of(left);
        for (int depth = 0; depth < 4; depth++) {
            List<CancellationSource> next = new ArrayList<>();
            for (CancellationToken t : frontier) {
                for (int i = 0; i < 8; i++) {
                    next.add(t.child());
                }
            }
            below.addAll(next);
            frontier = next;
        }
        CancellationSource rightChild = right.child();

        CancelReason reason = CancelReason.requested("left only");
        left.cancel(reason);

        assertThat(below).hasSize(8 + 64 + 512 + 4096).allSatisfy(t -> {
            assertThat(t.isCancelled()).isTrue();
            assertThat(t.reason()).containsSame(reason);
        });
        assertThat(root.isCancelled()).as("C2: never the parent").isFalse();
        assertThat(right.isCancelled()).as("C2: never a sibling").isFalse();
        assertThat(rightChild.isCancelled()).as("C2: never a sibling's child").isFalse();
    }

    @Test
    @DisplayName("C2: a 10,000-deep chain is cancelled without overflowing the stack")
    void c2_deepChain() {
        CancellationSource root = CancellationSource.create();
        CancellationSource t = root;
        for (int i = 0; i < 10_000; i++) {
            t = t.child();
        }
        root.cancel();
        assertThat(t.isCancelled()).isTrue();
        assertThat(t.reason()).isEqualTo(root.reason());
    }

    @Test
    @DisplayName("C2: close() cancels with CLOSED and unhooks from the parent; the parent lives on")
    void c2_closeCancelsAndUnhooks() {
        CancellationSource parent = CancellationSource.create();
        CancellationSource child = parent.child();
        CancellationSource grandchild = child.child();
        child.close();
        assertThat(child.reason().orElseThrow().kind()).isEqualTo(CancelReason.Kind.CLOSED);
        assertThat(grandchild.reason().orElseThrow().kind()).isEqualTo(CancelReason.Kind.CLOSED);
        assertThat(parent.isCancelled()).isFalse();
        parent.cancel("later");
        assertThat(child.reason().orElseThrow().kind()).as("C2: the first reason stays").isEqualTo(CancelReason.Kind.CLOSED);
        child.close(); // idempotent
        assertThat(CancellationToken.never().isCancelled()).isFalse();
    }

    @ParameterizedTest(name = "{0} threads")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C2 race: concurrent cancels of a token and its ancestors give one reason per token, "
            + "and each cancel() returns only once its whole subtree reports cancelled")
    void c2_concurrentCancels_oneReasonAndCompleteOnReturn(ThreadKind threads) throws Exception {
        int rounds = 300;
        Queue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicInteger winnersSeen = new AtomicInteger();
        for (int round = 0; round < rounds; round++) {
            // a chain root -> a -> b -> c, each with a fan of leaves
            CancellationSource[] chain = new CancellationSource[4];
            chain[0] = CancellationSource.create();
            for (int i = 1; i < chain.length; i++) {
                chain[i] = chain[i - 1].child();
            }
            List<List<CancellationSource>> leaves = new ArrayList<>();
            for (CancellationToken c : chain) {
                List<CancellationSource> fan = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    fan.add(c.child());
                }
                leaves.add(fan);
            }
            CyclicBarrier start = new CyclicBarrier(chain.length);
            CancelReason[] reasons = new CancelReason[chain.length];
            List<Forked<Boolean>> cancellers = new ArrayList<>();
            for (int i = 0; i < chain.length; i++) {
                int k = i;
                reasons[k] = CancelReason.requested("cancel " + k);
                cancellers.add(threads.fork(() -> {
                    start.await();
                    boolean won = chain[k].cancel(reasons[k]);
                    // right after cancel() returns: the whole subtree reports cancelled
                    for (int j = k; j < chain.length; j++) {
                        if (!chain[j].isCancelled()) {
                            violations.add("chain " + j + " not cancelled after cancel(" + k + ") returned");
                        }
                        for (CancellationToken leaf : leaves.get(j)) {
                            if (!leaf.isCancelled()) {
                                violations.add("leaf of " + j + " not cancelled after cancel(" + k + ") returned");
                            }
                        }
                    }
                    return won;
                }));
            }
            for (int i = 0; i < chain.length; i++) {
                Forked<Boolean> c = cancellers.get(i).join();
                CancelReason got = chain[i].reason().orElseThrow();
                // C2: the token's reason is its own if its cancel won, else an ancestor's
                if (Boolean.TRUE.equals(c.value())) {
                    winnersSeen.incrementAndGet();
                    if (got != reasons[i]) {
                        violations.add("cancel(" + i + ") won but the reason is " + got);
                    }
                } else if (got == reasons[i]) {
                    violations.add("cancel(" + i + ") lost but its reason stuck");
                }
                // one reason per token, shared by its leaves
                for (CancellationToken leaf : leaves.get(i)) {
                    if (leaf.reason().orElseThrow() != got) {
                        violations.add("a leaf of " + i + " has another reason than its parent");
                    }
                }
                // and a reason flows down: a child has its parent's reason or its own
                if (i > 0 && got != chain[i - 1].reason().orElseThrow() && got != reasons[i]) {
                    violations.add("token " + i + " has a reason from neither its parent nor itself");
                }
            }
        }
        assertThat(violations).isEmpty();
        assertThat(winnersSeen.get()).as("the root's cancel always wins").isGreaterThanOrEqualTo(rounds);
    }

    @ParameterizedTest(name = "{0} threads")
    @MethodSource("org.cancelkit.ThreadKind#all")
    @DisplayName("C2 race: children created while their parent is being cancelled all end cancelled, and so "
            + "do their own children and callbacks")
    void c2_childCreatedDuringCancel_endsCancelled(ThreadKind threads) throws Exception {
        for (int round = 0; round < 200; round++) {
            CancellationSource parent = CancellationSource.create();
            CyclicBarrier start = new CyclicBarrier(2);
            AtomicInteger callbacks = new AtomicInteger();
            Forked<List<CancellationSource>> creator = threads.fork(() -> {
                List<CancellationSource> made = new ArrayList<>();
                start.await();
                for (int i = 0; i < 200; i++) {
                    CancellationSource c = parent.child();
                    made.add(c);
                    made.add(c.child());
                    c.onCancel(callbacks::incrementAndGet);
                }
                return made;
            });
            Forked<Boolean> canceller = threads.fork(() -> {
                start.await();
                return parent.cancel();
            });
            canceller.join();
            List<CancellationSource> made = creator.join().value();
            assertThat(made).allSatisfy(t -> assertThat(t.isCancelled()).isTrue());
            assertThat(callbacks).as("C5: every callback ran once").hasValue(200);
        }
    }
}
