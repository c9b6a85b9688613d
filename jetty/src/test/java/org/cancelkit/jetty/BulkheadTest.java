package org.cancelkit.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cancelkit.Bulkhead;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.VirtualClock;
import org.cancelkit.http.ClientOptions;
import org.cancelkit.http.DeadlineClient;
import org.cancelkit.testkit.CancelkitExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** H2 (bulkhead): 100 callers through a limit of 10 against a real server, with cancelled waiters. */
class BulkheadTest {
    @RegisterExtension
    final CancelkitExtension kit = Fixtures.extension();

    @Test
    @DisplayName("H2: limit 10, 100 callers: the server never sees more than 10; cancelled waiters leave at once and send nothing; every permit comes back")
    void hundredCallersThroughTen(VirtualClock clock) throws Exception {
        try (LocalServer server = LocalServer.start(); HttpClient jdk = Fixtures.jdkClient(server)) {
            Bulkhead bulkhead = Bulkhead.of("ten", 10);
            DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults()
                    .withTimeout(Duration.ofHours(1)).withBulkhead(bulkhead));
            AtomicInteger completed = new AtomicInteger();
            AtomicInteger cancelled = new AtomicInteger();
            List<CancellationSource> tokens = new ArrayList<>();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                CancellationSource token = CancellationSource.create();
                tokens.add(token);
                String id = "caller-" + i;
                callers.add(clock.fork(id, () -> {
                    try {
                        token.call(() -> client.send(Fixtures.get(server.uri("/hold?id=" + id)), HttpResponse.BodyHandlers.ofString()));
                        completed.incrementAndGet();
                    } catch (CancelledException e) {
                        cancelled.incrementAndGet();
                    }
                }));
            }
            assertThat(server.holdArrived.tryAcquire(10, 20, TimeUnit.SECONDS)).as("10 requests reached the server").isTrue();
            clock.awaitParked(90);   // the other 90 wait in the bulkhead
            assertThat(bulkhead.statistics().inUse()).isEqualTo(10);
            assertThat(bulkhead.statistics().waiting()).isEqualTo(90);

            // Cancel five callers that wait in the queue (the server has not seen them): they leave at once.
            List<Integer> queued = new ArrayList<>();
            for (int i = 0; i < 100 && queued.size() < 5; i++) {
                if (server.seen("caller-" + i).arrived.getCount() == 1) {
                    queued.add(i);
                }
            }
            for (int i : queued) {
                tokens.get(i).cancel("gave up");
            }
            for (int i : queued) {
                clock.join(callers.get(i));
            }
            assertThat(bulkhead.statistics().waiting()).isEqualTo(85);
            assertThat(bulkhead.statistics().inUse()).isEqualTo(10);
            server.holdGate.countDown();
            for (int i = 0; i < callers.size(); i++) {
                if (!queued.contains(i)) {
                    clock.join(callers.get(i));   // a thread is joined through the clock once
                }
            }
            assertThat(completed.get() + cancelled.get()).isEqualTo(100);
            assertThat(cancelled.get()).isEqualTo(5);
            assertThat(server.maxHolding.get()).as("the server never saw more than the limit").isLessThanOrEqualTo(10);
            assertThat(bulkhead.statistics().inUse()).isZero();
            assertThat(bulkhead.statistics().waiting()).isZero();
            assertThat(client.statistics().sent()).as("a caller cancelled in the queue sent nothing").isEqualTo(95);
            for (int i : queued) {
                assertThat(server.seen("caller-" + i).arrived.getCount()).isEqualTo(1);
            }
        }
    }

    /** Negative control: without the bulkhead the server's counter does see more than ten at once. */
    @Test
    @DisplayName("H2 negative control: without a bulkhead, 20 callers are 20 at once on the server")
    void withoutTheBulkheadTheCounterSeesMore(VirtualClock clock) throws Exception {
        try (LocalServer server = LocalServer.start(); HttpClient jdk = Fixtures.jdkClient(server)) {
            DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults().withTimeout(Duration.ofHours(1)));
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = "free-" + i;
                callers.add(clock.fork(id, () ->
                        client.send(Fixtures.get(server.uri("/hold?id=" + id)), HttpResponse.BodyHandlers.ofString())));
            }
            assertThat(server.holdArrived.tryAcquire(20, 20, TimeUnit.SECONDS)).isTrue();
            assertThat(server.maxHolding.get()).isEqualTo(20);
            server.holdGate.countDown();
            for (Thread t : callers) {
                clock.join(t);
            }
        }
    }
}
