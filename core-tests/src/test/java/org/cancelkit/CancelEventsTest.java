package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import jdk.jfr.consumer.RecordedEvent;
import org.cancelkit.testkit.VirtualClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The core's emission points: each event is provoked deterministically (ordered steps and a
 * {@link VirtualClock}), recorded with the shipped {@code cancelkit.jfc}, and its Flight Recorder
 * fields and hook record are checked against what happened. Negative controls: a recording that does
 * not enable cancelkit's events gets none of them; the shipped settings with one event switched off
 * get none of that one; a closed subscription receives nothing.
 */
@org.junit.jupiter.api.Timeout(60)
class CancelEventsTest {

    @Test
    @DisplayName("TokenCancelled: reason kind, message, hard or soft, the subtree marked; closing is not a cancel")
    void tokenCancelled() throws Exception {
        Recorded r = Recorded.withShippedSettings(() -> {
            CancellationSource root = CancellationSource.create();
            CancellationSource child = root.token().child();
            child.token().child();
            root.cancel(CancelReason.shutdown("drain"), Duration.ofSeconds(30)); // soft: root, child, grandchild
            CancellationSource other = CancellationSource.create();
            other.cancel("stop"); // hard, alone
            CancellationSource.create().close(); // CLOSED: a scope's normal end
            root.cancel(CancelReason.requested("late")); // already cancelled: hardens it, with the first reason
            other.close(); // closing a cancelled token: no event
        });
        List<RecordedEvent> jfr = r.jfr("org.cancelkit.TokenCancelled");
        assertThat(jfr).hasSize(3);
        assertThat(jfr.get(0).getString("kind")).isEqualTo("SHUTDOWN");
        assertThat(jfr.get(0).getString("message")).isEqualTo("drain");
        assertThat(jfr.get(0).getBoolean("hard")).isFalse();
        assertThat(jfr.get(0).getInt("subtreeSize")).isEqualTo(3);
        assertThat(jfr.get(0).getDuration("propagation")).isPositive();
        assertThat(jfr.get(1).getString("kind")).isEqualTo("REQUESTED");
        assertThat(jfr.get(1).getBoolean("hard")).isTrue();
        assertThat(jfr.get(1).getInt("subtreeSize")).isEqualTo(1);
        assertThat(jfr.get(2).getString("kind")).as("the soft cancel turning hard keeps its reason").isEqualTo("SHUTDOWN");
        assertThat(jfr.get(2).getBoolean("hard")).isTrue();
        assertThat(jfr.get(2).getBoolean("hardening")).isTrue();
        assertThat(jfr.get(0).getBoolean("hardening")).isFalse();
        List<CancelEvent.TokenCancelled> hook = r.hook(CancelEvent.TokenCancelled.class);
        assertThat(hook).extracting(CancelEvent.TokenCancelled::kind, CancelEvent.TokenCancelled::hard,
                        CancelEvent.TokenCancelled::hardening, CancelEvent.TokenCancelled::subtreeSize)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(CancelReason.Kind.SHUTDOWN, false, false, 3),
                        org.assertj.core.groups.Tuple.tuple(CancelReason.Kind.REQUESTED, true, false, 1),
                        org.assertj.core.groups.Tuple.tuple(CancelReason.Kind.SHUTDOWN, true, true, 0));
    }

    @Test
    @DisplayName("DeadlineFired: a timeout's deadline fires on the virtual clock, on time (lateness 0)")
    void deadlineFired() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        Recorded r = Recorded.withShippedSettings(() -> clock.run(() ->
                assertThatThrownBy(() -> Timeout.run(Duration.ofMillis(250), () -> Cancellation.sleep(Duration.ofHours(1))))
                        .isInstanceOf(DeadlineExceededException.class)));
        List<RecordedEvent> jfr = r.jfr("org.cancelkit.DeadlineFired");
        assertThat(jfr).hasSize(1);
        assertThat(jfr.getFirst().getDuration("lateness")).isZero();
        assertThat(r.hook(CancelEvent.DeadlineFired.class)).singleElement()
                .satisfies(e -> assertThat(e.at()).isEqualTo(Duration.ofMillis(250).toNanos() + startOf(r)));
        assertThat(r.jfr("org.cancelkit.TokenCancelled")).singleElement()
                .satisfies(e -> assertThat(e.getString("kind")).isEqualTo("DEADLINE"));
    }

    @Test
    @DisplayName("a sleep ending is not a deadline firing: no event")
    void sleepIsQuiet() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        Recorded r = Recorded.withShippedSettings(() -> clock.run(() -> Cancellation.sleep(Duration.ofSeconds(3))));
        assertThat(r.jfr()).isEmpty();
        assertThat(r.hook()).isEmpty();
    }

    private static long startOf(Recorded r) {
        CancelEvent.DeadlineFired fired = r.hook(CancelEvent.DeadlineFired.class).getFirst();
        return fired.at() - Duration.ofMillis(250).toNanos(); // the clock started at an arbitrary origin
    }

    @Test
    @DisplayName("InterruptDelivered: the thread blocked in a bound call, and the reason's kind")
    void interruptDelivered() throws Exception {
        Recorded r = Recorded.withShippedSettings(() -> {
            CancellationSource token = CancellationSource.create();
            Thread blocked = Thread.ofVirtual().name("blocked-taker").start(() -> {
                try {
                    token.call(() -> new LinkedBlockingQueue<String>().take());
                } catch (CancelledException expected) {
                    // the cancel below ends the take
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // not cancelkit's: kept on the thread, which ends here
                }
            });
            Forked.awaitBlockedIn(blocked, "LinkedBlockingQueue", "take");
            token.cancel(CancelReason.shutdown("now"));
            blocked.join();
        });
        List<RecordedEvent> jfr = r.jfr("org.cancelkit.InterruptDelivered");
        assertThat(jfr).hasSize(1);
        assertThat(jfr.getFirst().getThread("interrupted").getJavaName()).isEqualTo("blocked-taker");
        assertThat(jfr.getFirst().getString("kind")).isEqualTo("SHUTDOWN");
        assertThat(r.hook(CancelEvent.InterruptDelivered.class))
                .containsExactly(new CancelEvent.InterruptDelivered("blocked-taker", CancelReason.Kind.SHUTDOWN));
    }

    @Test
    @DisplayName("Shield: entered and left, within the budget and over it")
    void shield() throws Exception {
        VirtualClock clock = VirtualClock.create().autoAdvance();
        Recorded r = Recorded.withShippedSettings(() -> clock.run(() -> {
            Cancellation.shielded(Duration.ofSeconds(1), () -> Cancellation.sleep(Duration.ofMillis(300)));
            assertThatThrownBy(() -> Cancellation.shielded(Duration.ofSeconds(2),
                    () -> Cancellation.sleep(Duration.ofHours(1)))).isInstanceOf(DeadlineExceededException.class);
        }));
        List<RecordedEvent> jfr = r.jfr("org.cancelkit.Shield");
        assertThat(jfr).hasSize(2);
        assertThat(jfr.get(0).getDuration("budget")).isEqualTo(Duration.ofSeconds(1));
        assertThat(jfr.get(0).getDuration("elapsed")).isEqualTo(Duration.ofMillis(300));
        assertThat(jfr.get(0).getBoolean("overBudget")).isFalse();
        assertThat(jfr.get(1).getDuration("elapsed")).isEqualTo(Duration.ofSeconds(2));
        assertThat(jfr.get(1).getBoolean("overBudget")).isTrue();
        assertThat(r.hook(CancelEvent.ShieldEntered.class)).extracting(CancelEvent.ShieldEntered::budget)
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(r.hook(CancelEvent.ShieldLeft.class)).extracting(CancelEvent.ShieldLeft::overBudget)
                .containsExactly(false, true);
    }

    @Test
    @DisplayName("CancelAction: the action instead of an interrupt, then the escalation after the grace")
    void cancelAction() throws Exception {
        VirtualClock clock = VirtualClock.create();
        Recorded r = Recorded.withShippedSettings(() -> {
            CountDownLatch acted = new CountDownLatch(1);
            CountDownLatch escalated = new CountDownLatch(1);
            CancellationSource token = clock.call(CancellationSource::create);
            CancelAction spec = CancelAction.of(acted::countDown).withEscalation(Duration.ofSeconds(5), escalated::countDown);
            Thread body = clock.fork("in-region", () -> {
                try {
                    token.call(() -> Cancellation.withCancelAction(spec, () -> {
                        TaskGroupTest.awaitUninterruptibly(escalated);
                        return null;
                    }));
                } catch (CancelledException expected) {
                    // the action ran: the region reports the cancel
                }
            });
            Forked.awaitBlockedIn(body, "TaskGroupTest", "awaitUninterruptibly");
            token.cancel("stop");
            acted.await();
            clock.advance(Duration.ofSeconds(5));
            clock.join(body);
        });
        List<RecordedEvent> jfr = r.jfr("org.cancelkit.CancelAction");
        assertThat(jfr).extracting(e -> e.getBoolean("escalation")).containsExactly(false, true);
        assertThat(jfr).allSatisfy(e -> assertThat(e.getDuration("grace")).isEqualTo(Duration.ofSeconds(5)));
        assertThat(jfr).allSatisfy(e -> assertThat(e.getBoolean("failed")).isFalse());
        assertThat(r.hook(CancelEvent.CancelActionRan.class)).containsExactly(
                new CancelEvent.CancelActionRan(false, Duration.ofSeconds(5), false),
                new CancelEvent.CancelActionRan(true, Duration.ofSeconds(5), false));
        assertThat(r.hook()).filteredOn(e -> !(e instanceof CancelEvent.TokenCancelled)).as("no interrupt inside the "
                + "region (C9): the one the binding owes is delivered when the thread has left it")
                .extracting(CancelEvent::name).containsExactly("org.cancelkit.CancelAction", "org.cancelkit.CancelAction",
                        "org.cancelkit.InterruptDelivered");
    }

    @Test
    @DisplayName("TaskEnded and TaskAbandoned: each task's outcome, and the straggler left running")
    void tasks() throws Exception {
        VirtualClock clock = VirtualClock.create();
        TaskGroupBoundedCloseTest.Straggler stuck = new TaskGroupBoundedCloseTest.Straggler();
        Recorded r = Recorded.withShippedSettings(() -> {
            Thread owner = clock.fork("owner", () -> {
                TaskGroup group = TaskGroup.open(CompletionPolicy.supervise());
                group.fork("quick", () -> "done");
                group.fork("broken", () -> {
                    throw new IllegalStateException("boom");
                });
                group.fork("stuck", stuck::run);
                stuck.started.await();
                group.close(Duration.ofSeconds(2));
            });
            stuck.awaitStuck();
            clock.awaitParked(1);
            Forked.awaitBlockedIn(owner, "Waits", "awaitEither");
            awaitParticipants(clock, 2); // quick and broken have ended: only the owner and stuck are left
            clock.advance(Duration.ofSeconds(2));
            clock.join(owner);
        });
        stuck.release.countDown();
        stuck.ended.await();
        assertThat(r.hook(CancelEvent.TaskEnded.class)).extracting(CancelEvent.TaskEnded::task, CancelEvent.TaskEnded::outcome)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("quick", TaskOutcome.COMPLETED),
                        org.assertj.core.groups.Tuple.tuple("broken", TaskOutcome.FAILED));
        assertThat(r.jfr("org.cancelkit.TaskEnded")).extracting(e -> e.getString("task") + "=" + e.getString("outcome"))
                .containsExactlyInAnyOrder("quick=COMPLETED", "broken=FAILED");
        assertThat(r.hook(CancelEvent.TaskAbandoned.class))
                .containsExactly(new CancelEvent.TaskAbandoned("stuck", Duration.ofSeconds(2).toNanos()));
        assertThat(r.jfr("org.cancelkit.TaskAbandoned")).singleElement().satisfies(e -> {
            assertThat(e.getString("task")).isEqualTo("stuck");
            assertThat(e.getDuration("running")).isEqualTo(Duration.ofSeconds(2));
        });
    }

    @Test
    @DisplayName("BulkheadRejected: full, and cancelled at the entry")
    void bulkheadRejected() throws Exception {
        Recorded r = Recorded.withShippedSettings(() -> {
            Bulkhead db = Bulkhead.of("db", 1);
            try (Bulkhead.Permit _ = db.tryAcquire().orElseThrow()) {
                assertThat(db.tryAcquire()).isEmpty();
                CancellationSource cancelled = CancellationSource.create();
                cancelled.cancel("gone");
                assertThatThrownBy(() -> cancelled.call(db::acquire)).isInstanceOf(CancelledException.class);
            }
        });
        assertThat(r.jfr("org.cancelkit.BulkheadRejected")).extracting(e -> e.getString("bulkhead") + "/"
                + e.getInt("limit") + "/" + e.getString("why")).containsExactly("db/1/full", "db/1/cancelled");
        assertThat(r.hook(CancelEvent.BulkheadRejected.class)).extracting(CancelEvent.BulkheadRejected::why)
                .containsExactly("full", "cancelled");
    }

    /** Every kind of core event, provoked once. */
    private static void provokeAll() throws Exception {
        CancellationSource s = CancellationSource.create();
        s.token().child();
        s.cancel("stop");
        VirtualClock clock = VirtualClock.create().autoAdvance();
        clock.run(() -> {
            Timeout.callOrEmpty(Duration.ofMillis(5), () -> {
                Cancellation.sleep(Duration.ofHours(1));
                return 1;
            });
            Cancellation.shielded(Duration.ofSeconds(1), () -> { });
        });
        Bulkhead b = Bulkhead.of("b", 1);
        try (Bulkhead.Permit _ = b.tryAcquire().orElseThrow()) {
            Optional<Bulkhead.Permit> none = b.tryAcquire();
            assertThat(none).isEmpty();
        }
    }

    @Test
    @DisplayName("negative control: a recording with the JDK's own settings (no cancelkit.jfc) records none of cancelkit's events")
    void nothingWhenNotEnabled() throws Exception {
        Recorded on = Recorded.withShippedSettings(CancelEventsTest::provokeAll);
        assertThat(on.jfr()).extracting(e -> e.getEventType().getName()).contains("org.cancelkit.TokenCancelled",
                "org.cancelkit.DeadlineFired", "org.cancelkit.Shield", "org.cancelkit.BulkheadRejected");
        Recorded off = Recorded.with(null, CancelEventsTest::provokeAll);
        assertThat(off.jfr()).isEmpty();
        assertThat(off.hook()).as("the hook is independent of the recorder").hasSameSizeAs(on.hook());
    }

    @Test
    @DisplayName("negative control: the shipped settings with TokenCancelled switched off record every event but that one")
    void oneEventSwitchedOff() throws Exception {
        Recorded r = Recorded.with(Recorded.shippedWithout("org.cancelkit.TokenCancelled"), CancelEventsTest::provokeAll);
        assertThat(r.jfr("org.cancelkit.TokenCancelled")).isEmpty();
        assertThat(r.jfr("org.cancelkit.DeadlineFired")).hasSize(1);
    }

    @Test
    @DisplayName("the hook: a closed subscription receives nothing; a throwing listener does not stop the others")
    void hookLifecycle() throws Exception {
        List<CancelEvent> late = new java.util.concurrent.CopyOnWriteArrayList<>();
        CancelEvents.Subscription sub = CancelEvents.register(late::add);
        Thread.UncaughtExceptionHandler before = Thread.currentThread().getUncaughtExceptionHandler();
        List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.currentThread().setUncaughtExceptionHandler((t, e) -> reported.add(e));
        try (var _ = CancelEvents.register(e -> {
            throw new IllegalStateException("listener bug");
        })) {
            CancellationSource.create().cancel("one");
        } finally {
            Thread.currentThread().setUncaughtExceptionHandler(before);
        }
        assertThat(late).hasSize(1);
        assertThat(reported).singleElement().satisfies(e -> assertThat(e).hasMessage("listener bug"));
        sub.close();
        sub.close();
        CancellationSource.create().cancel("two");
        assertThat(late).hasSize(1);
        assertThat(CancelEvents.isObserved()).isFalse();
    }

    @Test
    @DisplayName("the shipped cancelkit.jfc names every core event type")
    void shippedSettingsNameEveryEvent() {
        String jfc = CancelEvents.jfrSettings();
        for (String name : List.of("TokenCancelled", "DeadlineFired", "InterruptDelivered", "Shield", "CancelAction",
                "TaskEnded", "TaskAbandoned", "BulkheadRejected")) {
            assertThat(jfc).contains("<event name=\"org.cancelkit." + name + "\">");
        }
    }

    /**
     * Waits until {@code n} threads take part on the clock: a task stops taking part once it is done.
     * The state is observed, bounded by {@link Forked#LIMIT} on real time; nothing waits for time to pass.
     */
    private static void awaitParticipants(VirtualClock clock, int n) {
        long end = System.nanoTime() + Forked.LIMIT.toNanos();
        while (clock.participants() != n) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("expected " + n + " participants, saw " + clock.participants());
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
