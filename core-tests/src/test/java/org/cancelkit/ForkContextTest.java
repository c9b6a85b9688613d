package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Context that follows a fork: an installed carrier's value set before a fork is in every fork, and gone after. */
class ForkContextTest {
    private static final ThreadLocal<String> TRACE = new ThreadLocal<>();

    private static final ContextCarrier CARRIER = () -> {
        String captured = TRACE.get();
        return () -> {
            String before = TRACE.get();
            TRACE.set(captured);
            return () -> TRACE.set(before);
        };
    };

    @Test
    @DisplayName("ForkContext: every fork sees the forking thread's trace id; the fork's thread has none after")
    void forksCarryTheContext() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        try (var _ = ForkContext.install(CARRIER)) {
            TRACE.set("trace-42");
            try (TaskGroup group = TaskGroup.open()) {
                for (int i = 0; i < 10; i++) {
                    group.fork("t" + i, () -> {
                        seen.add(TRACE.get());
                        threads.add(Thread.currentThread());
                        return null;
                    });
                }
                group.join();
            }
            assertThat(seen).hasSize(10).containsOnly("trace-42");
            ForkContext.Snapshot s = ForkContext.capture();
            TRACE.set("other");
            assertThat(s.call(TRACE::get)).isEqualTo("trace-42");
            assertThat(TRACE.get()).as("undone after the work").isEqualTo("other");
        } finally {
            TRACE.remove();
        }
    }

    @Test
    @DisplayName("ForkContext negative control: without the carrier installed, a fork does not see the trace id")
    void negativeControl_noCarrier() throws Exception {
        TRACE.set("trace-42");
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> t = group.fork("t", TRACE::get);
            group.join();
            assertThat(t.get()).isNull();
        } finally {
            TRACE.remove();
        }
    }
}
