package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A node keeps its children and its listeners in one list (Node, invariants 1, 2 and 5): these cases
 * interleave the two kinds and check that each is handled as its kind, whatever its neighbours are.
 * The parent is a root's child, so no stripes are involved (a root's are covered by the stripe tests).
 */
class NodeListTest {

    @Test
    @DisplayName("a soft cancel runs the plain callbacks at once and unlinks them, keeps children and hard-cancel "
            + "callbacks linked, and the hardening reaches exactly those")
    void softThenHard_overAnInterleavedList() {
        CancellationSource parent = CancellationSource.create().child();
        List<String> ran = new ArrayList<>();
        CancellationSource a = parent.child();
        parent.onCancel(() -> ran.add("soft-1"));
        parent.onHardCancel(() -> ran.add("hard-1"));
        CancellationSource b = parent.child();
        parent.onCancel(() -> ran.add("soft-2"));
        CancellationSource c = parent.child();
        parent.onHardCancel(() -> ran.add("hard-2"));
        assertThat(parent.node().linkedCount()).isEqualTo(7);

        parent.cancel(CancelReason.requested("drain"), Duration.ofHours(1));

        assertThat(ran).containsExactlyInAnyOrder("soft-1", "soft-2");
        assertThat(List.of(a, b, c)).allSatisfy(k -> {
            assertThat(k.isCancelled()).isTrue();
            assertThat(k.isCancelledHard()).isFalse();
        });
        assertThat(parent.node().linkedCount()).as("three children and two hard-cancel callbacks stay").isEqualTo(5);

        b.close(); // a child closed in the grace leaves the list from its middle
        assertThat(parent.node().linkedCount()).isEqualTo(4);

        parent.cancel(); // a hard cancel in the grace takes effect at once
        assertThat(ran).containsExactlyInAnyOrder("soft-1", "soft-2", "hard-1", "hard-2");
        assertThat(List.of(a, b, c)).allSatisfy(k -> assertThat(k.isCancelledHard()).isTrue());
        assertThat(parent.node().linkedCount()).as("the hard cancel detached the list").isZero();
    }

    @Test
    @DisplayName("unlinking a listener or a child from the head, the middle or the tail of the list leaves "
            + "every other element in it")
    void unlinkAnywhere_keepsTheRest() {
        CancellationSource parent = CancellationSource.create().child();
        List<String> ran = new ArrayList<>();
        Registration tail = parent.onCancel(() -> ran.add("tail")); // pushed first: ends at the tail
        CancellationSource kid1 = parent.child();
        Registration middle = parent.onCancel(() -> ran.add("middle"));
        parent.onCancel(() -> ran.add("kept"));
        CancellationSource kid2 = parent.child();
        Registration head = parent.onCancel(() -> ran.add("head")); // pushed last: the head

        middle.unregister();
        head.unregister();
        tail.unregister();
        kid1.close();
        assertThat(parent.node().linkedCount()).as("one callback and one child left").isEqualTo(2);

        parent.cancel();
        assertThat(ran).containsExactly("kept");
        assertThat(kid2.isCancelledHard()).isTrue();
        assertThat(parent.node().linkedCount()).isZero();
    }

    @Test
    @DisplayName("a child born under a soft parent is soft, linked in the parent's kept list, and hardens with it")
    void bornSoft_hardensWithTheParent() {
        CancellationSource parent = CancellationSource.create().child();
        parent.onHardCancel(() -> { });
        parent.cancel(CancelReason.requested("drain"), Duration.ofHours(1));
        CancellationSource late = parent.child();
        assertThat(late.isCancelled()).isTrue();
        assertThat(late.isCancelledHard()).isFalse();
        assertThat(parent.node().linkedCount()).isEqualTo(2);

        parent.cancel();
        assertThat(late.isCancelledHard()).isTrue();
        assertThat(late.reason().orElseThrow().message()).isEqualTo("drain");
    }
}
