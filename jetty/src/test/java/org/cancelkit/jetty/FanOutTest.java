package org.cancelkit.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.Bulkhead;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.TaskFailedException;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.http.ClientOptions;
import org.cancelkit.http.DeadlineClient;
import org.cancelkit.http.FanOut;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** H3 and C1: aggregating a user's data from several calls, as a fan-out against a real server, on virtual time. */
class FanOutTest extends ServerTest {
    private static String body(DeadlineClient client, String pathAndQuery) throws Exception {
        HttpResponse<String> r = client.send(Fixtures.get(server.uri(pathAndQuery)), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(pathAndQuery + " answered " + r.statusCode());
        }
        return r.body();
    }

    @Test
    @DisplayName("H3/C1: the overall deadline bounds every part; fast parts return, the slow optional one degrades, its server handler is cancelled, nothing outlives run()")
    void overallDeadline(VirtualClock clock) throws Exception {
        Bulkhead bulkhead = Bulkhead.of("fan", 10);
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults()
                .withTimeout(Duration.ofSeconds(5)).withBulkhead(bulkhead));
        List<Thread> partThreads = new CopyOnWriteArrayList<>();
        CountDownLatch fastDone = new CountDownLatch(2);
        AtomicReference<@Nullable Object> outcome = new AtomicReference<>();
        FanOut fan = FanOut.within(Duration.ofMillis(300));
        FanOut.Part<String> profile = fan.required("profile", () -> {
            partThreads.add(Thread.currentThread());
            try {
                return body(client, "/fast?id=fan-profile");
            } finally {
                fastDone.countDown();
            }
        });
        FanOut.Part<String> posts = fan.required("posts", () -> {
            partThreads.add(Thread.currentThread());
            try {
                return body(client, "/fast?id=fan-posts");
            } finally {
                fastDone.countDown();
            }
        });
        FanOut.Part<String> friends = fan.optional("friends", () -> {
            partThreads.add(Thread.currentThread());
            return body(client, "/slow?id=fan-friends");
        }, () -> "no friends today");
        Thread owner = clock.fork("owner", () -> {
            try {
                outcome.set(fan.run());
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        server.seen("fan-friends").awaitArrived();
        assertThat(fastDone.await(10, TimeUnit.SECONDS)).as("the fast parts finished").isTrue();
        for (String id : List.of("fan-profile", "fan-posts", "fan-friends")) {
            assertThat(server.seen(id).deadlineHeader.get()).as(id + ": the overall deadline travels, not the 5 s timeout")
                    .isEqualTo("300");
        }
        clock.advance(Duration.ofMillis(300).minusNanos(1));
        assertThat(owner.isAlive()).isTrue();
        clock.advance(Duration.ofNanos(1));
        clock.join(owner);

        assertThat(outcome.get()).isEqualTo(List.of("friends"));
        assertThat(profile.get()).isEqualTo("fast");
        assertThat(posts.get()).isEqualTo("fast");
        assertThat(friends.get()).isEqualTo("no friends today");
        assertThat(friends.degradedBecause()).get().isInstanceOf(DeadlineExceededException.class);
        assertThat(profile.degraded()).isFalse();
        // The server runs on real time: its copy of the 300 ms deadline may pass before the test advances
        // the client's virtual clock. Either way the handler was cancelled (H4).
        org.cancelkit.CancelReason serverSaw = server.seen("fan-friends").awaitCancelled();
        assertThat(serverSaw.kind() == org.cancelkit.CancelReason.Kind.DEADLINE
                || serverSaw.message().contains("client went away")).as(serverSaw.toString()).isTrue();
        assertThat(partThreads).hasSize(3).noneMatch(Thread::isAlive);
        assertThat(bulkhead.statistics().inUse()).isZero();
    }

    @Test
    @DisplayName("H3: a required part past the overall deadline fails the fan-out with DeadlineExceededException naming it")
    void requiredPartPastTheDeadline(VirtualClock clock) throws Exception {
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults());
        AtomicReference<@Nullable Throwable> outcome = new AtomicReference<>();
        FanOut fan = FanOut.within(Duration.ofSeconds(2));
        fan.required("profile", () -> body(client, "/slow?id=fan-required-slow"));
        Thread owner = clock.fork("owner", () -> {
            try {
                fan.run();
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        server.seen("fan-required-slow").awaitArrived();
        clock.advance(Duration.ofSeconds(2));
        clock.join(owner);
        assertThat(outcome.get()).isInstanceOf(DeadlineExceededException.class)
                .hasMessageContaining("overall deadline of 2000 ms").hasMessageContaining("'profile'");
    }

    /**
     * The part's own request timeout (2 s) is shorter than the fan-out's (10 s): its failure is the
     * part's, reported as such, not as the overall deadline (which has not passed). The test above is
     * the control: there the overall deadline did pass and is named.
     */
    @Test
    @DisplayName("H3: a required part stopped by its own shorter timeout fails the fan-out as that part's failure, not as the overall deadline")
    void requiredPartOwnTimeout(VirtualClock clock) throws Exception {
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults().withTimeout(Duration.ofSeconds(2)));
        AtomicReference<@Nullable Throwable> outcome = new AtomicReference<>();
        FanOut fan = FanOut.within(Duration.ofSeconds(10));
        fan.required("profile", () -> body(client, "/slow?id=fan-required-own"));
        Thread owner = clock.fork("owner", () -> {
            try {
                fan.run();
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        server.seen("fan-required-own").awaitArrived();
        clock.advance(Duration.ofSeconds(2));
        clock.join(owner);
        assertThat(outcome.get()).isInstanceOf(TaskFailedException.class);
        assertThat(outcome.get().getCause()).isInstanceOf(DeadlineExceededException.class)
                .hasMessageContaining("within its timeout of 2000 ms").hasMessageNotContaining("overall deadline");
    }

    @Test
    @DisplayName("H3/C1: a failed required part cancels its siblings (their server handlers see it) and nothing outlives run()")
    void requiredFailureCancelsSiblings(VirtualClock clock) throws Exception {
        DeadlineClient client = DeadlineClient.of(jdk, ClientOptions.defaults().withTimeout(Duration.ofMinutes(5)));
        List<Thread> partThreads = new CopyOnWriteArrayList<>();
        AtomicReference<@Nullable Throwable> slowOutcome = new AtomicReference<>();
        AtomicReference<@Nullable Throwable> outcome = new AtomicReference<>();
        FanOut fan = FanOut.within(Duration.ofMinutes(1));
        fan.required("posts", () -> {
            partThreads.add(Thread.currentThread());
            try {
                return body(client, "/slow?id=fan-sibling");
            } catch (RuntimeException e) {
                slowOutcome.set(e);
                throw e;
            }
        });
        fan.required("profile", () -> {
            partThreads.add(Thread.currentThread());
            server.seen("fan-sibling").awaitArrived();   // fail only once the sibling is on the server
            return body(client, "/status?code=503");
        });
        Thread owner = clock.fork("owner", () -> {
            try {
                fan.run();
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        clock.join(owner);
        assertThat(outcome.get()).isInstanceOf(TaskFailedException.class);
        assertThat(((TaskFailedException) outcome.get()).taskName()).isEqualTo("profile");
        assertThat(slowOutcome.get()).isInstanceOf(CancelledException.class);
        assertThat(server.seen("fan-sibling").awaitCancelled().message()).contains("client went away");
        assertThat(partThreads).hasSize(2).noneMatch(Thread::isAlive);
    }

    /**
     * Negative control for C1: the same fan-out with futures (fail-fast by waiting for the first
     * failure) returns while the slow call still runs; the server still has it in flight.
     */
    @Test
    @DisplayName("C1 negative control: a CompletableFuture fan-out returns on the first failure with the slow call still running")
    void futuresLeaveTheSlowCallRunning() throws Exception {
        AtomicReference<@Nullable Thread> slowThread = new AtomicReference<>();
        CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> {
            slowThread.set(Thread.currentThread());
            CompletableFuture<HttpResponse<String>> x =
                    jdk.sendAsync(Fixtures.get(server.uri("/slow?id=fan-futures")), HttpResponse.BodyHandlers.ofString());
            slowFuture.set(x);
            return x.join().body();
        });
        CompletableFuture<String> failing = CompletableFuture.supplyAsync(() -> {
            try {
                server.seen("fan-futures").awaitArrived();
            } catch (InterruptedException e) {
                // Restore the flag for the pool thread and fail this part.
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("profile service broken");
        });
        CompletableFuture<Object> firstFailure = CompletableFuture.anyOf(failing, slow.thenCombine(failing, (a, b) -> a));
        assertThatThrownBy(firstFailure::join).hasRootCauseMessage("profile service broken");
        // The fan-out has "returned"; the slow call has not stopped.
        assertThat(slow.isDone()).isFalse();
        assertThat(server.slowInFlight.get()).isPositive();
        assertThat(slowThread.get()).isNotNull().matches(Thread::isAlive);
        // Clean up: abort the exchange, which ends the server's handler and the part.
        slowFuture.get().cancel(true);
        server.seen("fan-futures").awaitCancelled();
        assertThatThrownBy(slow::join).isNotNull();
    }

    private final AtomicReference<CompletableFuture<HttpResponse<String>>> slowFuture = new AtomicReference<>();

    @Test
    @DisplayName("FanOut: bad input is refused with a message that says what to do")
    void badInput() {
        assertThatThrownBy(() -> FanOut.within(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        FanOut empty = FanOut.within(Duration.ofSeconds(1));
        assertThatThrownBy(empty::run).isInstanceOf(IllegalStateException.class).hasMessageContaining("no parts");
        FanOut fan = FanOut.within(Duration.ofSeconds(1));
        fan.required("a", () -> "x");
        assertThatThrownBy(() -> fan.optional("a", () -> "y", () -> "z")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already");
    }

    @Test
    @DisplayName("FanOut: runs once; a part's value is readable only after a successful run")
    void runsOnce() throws Exception {
        FanOut fan = FanOut.within(Duration.ofSeconds(1));
        FanOut.Part<String> a = fan.required("a", () -> "x");
        assertThatThrownBy(a::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("run the fan-out first");
        assertThat(fan.run()).isEmpty();
        assertThat(a.get()).isEqualTo("x");
        assertThatThrownBy(fan::run).isInstanceOf(IllegalStateException.class).hasMessageContaining("runs once");
    }
}
