package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskGroup#race}, like tokio's {@code select!}: the first contender to end wins, the others
 * are cancelled and have ended when race returns (C1), and a failure that ends first is thrown as
 * {@link TaskFailedException}. On a {@link VirtualClock}.
 */
@org.junit.jupiter.api.Timeout(60)
class RaceTest {

    static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    /** Contenders that record their thread, whether they are running, and how they ended. */
    static final class Contenders {
        final Queue<Thread> threads = new ConcurrentLinkedQueue<>();
        final AtomicInteger live = new AtomicInteger();
        final Queue<String> cancelled = new ConcurrentLinkedQueue<>();

        <T> CheckedCallable<T, Exception> sleepThen(String name, Duration d, T value) {
            return track(name, () -> {
                Cancellation.sleep(d);
                return value;
            });
        }

        <T> CheckedCallable<T, Exception> track(String name, CheckedCallable<T, ?> body) {
            return TaskGroupPointExplorer.inherit(() -> {
                threads.add(Thread.currentThread());
                live.incrementAndGet();
                try {
                    return body.call();
                } catch (CancelledException e) {
                    cancelled.add(name);
                    throw e;
                } finally {
                    live.decrementAndGet();
                }
            });
        }

        void assertAllEnded() throws InterruptedException {
            assertThat(live.get()).as("C1: contenders still running when race returned").isZero();
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(30)); // only to turn a leak into a failure, never a delay
                assertThat(t.isAlive()).isFalse();
            }
        }
    }

    @Test
    @DisplayName("C1 the first to finish wins; the others are cancelled and have ended when race returns")
    void firstToFinishWins() throws Exception {
        Contenders c = new Contenders();
        VirtualClock clock = VirtualClock.create().autoAdvance();
        String winner = clock.call(() -> TaskGroup.race(
                c.sleepThen("a", ms(300), "a"),
                c.sleepThen("b", ms(100), "b"),
                c.sleepThen("c", Duration.ofSeconds(10), "c")));
        assertThat(winner).isEqualTo("b");
        assertThat(clock.nanoTime()).isEqualTo(ms(100).toNanos());
        assertThat(c.live.get()).as("C1: live contenders when race returned").isZero();
        assertThat(c.cancelled).containsExactlyInAnyOrder("a", "c");
        c.assertAllEnded();
    }

    @Test
    @DisplayName("race takes a list too, and returns a contender's null value")
    void listForm() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        List<CheckedCallable<String, Exception>> bodies = new ArrayList<>();
        bodies.add(() -> {
            Cancellation.sleep(ms(50));
            return null;
        });
        bodies.add(() -> {
            Cancellation.sleep(ms(60));
            return "late";
        });
        assertThat(clock.call(() -> TaskGroup.race(bodies))).isNull();
    }

    @Test
    @DisplayName("a failure that ends first is thrown as TaskFailedException; the others are cancelled and ended")
    void failureFirstIsThrown() throws Exception {
        Contenders c = new Contenders();
        IOException refused = new IOException("connection refused");
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> assertThatThrownBy(() -> TaskGroup.race(
                c.sleepThen("slow", ms(300), "slow"),
                c.track("fails", () -> {
                    Cancellation.sleep(ms(100));
                    throw refused;
                }),
                c.sleepThen("slower", Duration.ofSeconds(10), "slower")))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.taskName()).isEqualTo("race-1");
                    assertThat(e.getCause()).isSameAs(refused);
                }));
        assertThat(clock.nanoTime()).isEqualTo(ms(100).toNanos());
        assertThat(c.cancelled).containsExactlyInAnyOrder("slow", "slower");
        c.assertAllEnded();
    }

    @Test
    @DisplayName("negative control: a success that ends before the failure wins, and the failure is never seen")
    void successBeforeFailureWins() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        String v = clock.call(() -> TaskGroup.race(
                () -> {
                    Cancellation.sleep(ms(100));
                    throw new IOException("too late to matter");
                },
                () -> {
                    Cancellation.sleep(ms(50));
                    return "first";
                }));
        assertThat(v).isEqualTo("first");
    }

    @Test
    @DisplayName("C1 race does not return before a loser that ignores the cancel has ended (ordered steps)")
    void raceWaitsForStubbornLoser() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        Steps steps = new Steps();
        CountDownLatch caught = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> result = new AtomicReference<>();
        Thread owner = clock.fork("owner", () -> {
            result.set(TaskGroup.race(
                    () -> {
                        Cancellation.sleep(ms(10));
                        return "quick";
                    },
                    () -> {
                        try {
                            Cancellation.sleep(Duration.ofHours(1));
                            return "never";
                        } catch (CancelledException e) {
                            caught.countDown();
                            TaskGroupTest.awaitUninterruptibly(release); // ignores the cancel for a while
                            steps.expect(2);
                            throw e;
                        }
                    }));
            steps.expect(3);
        });
        caught.await();
        Forked.awaitBlockedIn(owner, "TaskGroup", "awaitAll");
        steps.expect(1);
        release.countDown();
        clock.join(owner);
        steps.finish(4);
        assertThat(result.get()).isEqualTo("quick");
    }

    @Test
    @DisplayName("a race cancelled from outside throws CancelledException with the reason; every contender ended")
    void raceCancelledFromOutside() throws Exception {
        Contenders c = new Contenders();
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> {
            CancellationSource outer = CancellationSource.create();
            Thread canceller = clock.fork("canceller", () -> {
                Cancellation.sleep(ms(70));
                outer.cancel("user pressed cancel");
            });
            assertThatThrownBy(() -> outer.call(() -> TaskGroup.race(
                    c.sleepThen("a", Duration.ofSeconds(5), "a"),
                    c.sleepThen("b", Duration.ofSeconds(6), "b"))))
                    .isInstanceOfSatisfying(CancelledException.class,
                            e -> assertThat(e.reason().message()).isEqualTo("user pressed cancel"));
            clock.join(canceller);
        });
        assertThat(clock.nanoTime()).isEqualTo(ms(70).toNanos());
        assertThat(c.cancelled).containsExactlyInAnyOrder("a", "b");
        c.assertAllEnded();
    }

    @Test
    @DisplayName("a race inside a timeout that fires first is a DeadlineExceededException; every contender ended")
    void raceUnderTimeout() throws Exception {
        Contenders c = new Contenders();
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> assertThatThrownBy(() -> Timeout.call(ms(250), () -> TaskGroup.race(
                c.sleepThen("a", Duration.ofSeconds(5), "a"),
                c.sleepThen("b", Duration.ofSeconds(6), "b"))))
                .isInstanceOf(DeadlineExceededException.class));
        assertThat(clock.nanoTime()).isEqualTo(ms(250).toNanos());
        c.assertAllEnded();
    }

    @Test
    @DisplayName("bad input: no contender, a null contender")
    void badInput() {
        assertThatThrownBy(() -> TaskGroup.race(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one contender");
        List<CheckedCallable<String, Exception>> withNull = new ArrayList<>();
        withNull.add(() -> "x");
        withNull.add(null);
        assertThatThrownBy(() -> TaskGroup.race(withNull)).isInstanceOf(NullPointerException.class)
                .hasMessage("bodies[1]");
    }

    @Test
    @DisplayName("C1 cancellation-point exploration of race: at every point, no contender left running")
    void explored() throws Exception {
        TaskGroupPointExplorer.Result r = TaskGroupPointExplorer.explore(() -> new TaskGroupPointExplorer.Case() {
            final Contenders c = new Contenders();

            @Override
            public Object call() throws Exception {
                Cancellation.check();
                String v = TaskGroup.race(
                        c.sleepThen("a", ms(30), "a"),
                        c.sleepThen("b", ms(20), "b"),
                        c.track("c", () -> {
                            Cancellation.check();
                            Cancellation.sleep(ms(40));
                            return "c";
                        }));
                Cancellation.check();
                return v;
            }

            @Override
            public void check(TaskGroupPointExplorer.Run run) throws Exception {
                c.assertAllEnded();
                if (run.cancelled()) {
                    assertThat(run.failure()).isInstanceOf(CancelledException.class);
                } else {
                    assertThat(run.value()).isEqualTo("b");
                }
            }
        });
        System.out.println("race: " + r);
        assertThat(r.points()).isGreaterThanOrEqualTo(6);
        assertThat(r.violations()).isEmpty();
    }
}
