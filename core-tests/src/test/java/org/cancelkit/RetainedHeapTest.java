package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Lifetimes end: a long-lived root through a million per-request children, timeouts and tasks of a
 * long-lived group, all ended, retains what it retained before (measured after GC). A million retained
 * entries would take at least 32 MB (a node alone is 32 bytes with compressed references); the bound is
 * a quarter of that, and the negative control shows the measurement sees a million live children.
 */
class RetainedHeapTest {
    private static final int N = 1_000_000;
    private static final long BOUND = 8L << 20;

    @Test
    @DisplayName("lifetimes: 1,000,000 ended children, timeouts and group tasks under one root retain < 8 MB")
    void endedWorkRetainsNothing() throws Exception {
        CancellationSource root = CancellationSource.create();
        long before = usedAfterGc();
        try (TaskGroup server = root.call(() -> TaskGroup.open(CompletionPolicy.supervise(), 0))) {
            root.run(() -> {
                for (int i = 0; i < N; i++) {
                    try (var _ = Cancellation.current().child(Duration.ofSeconds(30))) {
                        // a request that ends at once: opened, then closed
                    }
                    Timeout.call(Duration.ofSeconds(30), () -> 1);
                    if (i % 4 == 0) { // a quarter of a million tasks: forking a million threads adds minutes, not insight
                        server.fork("r", () -> 1);
                    }
                }
            });
            long after = usedAfterGc();
            assertThat(root.node().linkedCount()).isEqualTo(1); // the group's token
            assertThat(after - before).as("retained bytes").isLessThan(BOUND);
            server.join();
        }
    }

    @Test
    @DisplayName("lifetimes negative control: 1,000,000 live children are seen by the same measurement")
    void negativeControl_liveChildrenAreMeasured() {
        CancellationSource root = CancellationSource.create();
        long before = usedAfterGc();
        for (int i = 0; i < N; i++) {
            root.child(); // linked to the root, not held by the test
        }
        long after = usedAfterGc();
        // a million nodes of 32 bytes: above 3 x BOUND with room for the collector's rounding
        assertThat(after - before).isGreaterThan(3 * BOUND);
        root.cancel();
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
