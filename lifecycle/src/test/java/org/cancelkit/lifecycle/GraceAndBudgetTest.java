package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.testkit.CancelkitTest;
import org.cancelkit.testkit.Steps;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * L1 on virtual time: a worker that ends within its grace is never interrupted; one past it is
 * cancelled hard exactly at its end (deadline − 1 ns: not yet; deadline: yes); one that ignores the
 * interrupt is abandoned with its stack after the hard-stop wait; the whole is cut at the budget; a
 * second signal makes everything hard at once.
 */
@CancelkitTest(autoAdvance = false)
class GraceAndBudgetTest {
    private static final Duration NS = Duration.ofNanos(1);

    @Test
    @DisplayName("L1/C8: a worker that ends in its grace is never interrupted")
    void endsInGrace_neverInterrupted(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(1);
        Duration grace = Duration.ofSeconds(5);
        Application app = Application.builder("grace").add(f.slowCleanup("db", grace)).build().start();
        f.awaitStarted();
        app.shutdown("test");
        f.awaitCancelled("db");
        clock.awaitParked(1);                     // the shutdown thread waits for the db's grace
        clock.advance(grace.minus(NS));           // the last nanosecond of the grace
        assertThat(app.state()).isEqualTo(Application.State.STOPPING);
        f.release.countDown();                    // the cleanup ends
        ShutdownReport report = app.awaitTermination();

        assertThat(f.interrupted).isEmpty();
        WorkerReport db = report.worker("db");
        assertThat(db.outcome()).isEqualTo(WorkerOutcome.STOPPED_IN_GRACE);
        assertThat(db.stopTime()).isEqualTo(grace.minus(NS));
        assertThat(report.exitCode()).isEqualTo(ShutdownReport.EXIT_CLEAN);
    }

    @Test
    @DisplayName("L1 negative control: the same worker with zero grace is interrupted in its cleanup")
    void zeroGrace_isInterrupted(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(1);
        Application app = Application.builder("no-grace").add(f.slowCleanup("db", Duration.ZERO)).build().start();
        f.awaitStarted();
        app.shutdown("test");
        ShutdownReport report = app.awaitTermination(); // no clock move needed: a zero grace is hard at once
        f.release.countDown();

        assertThat(f.interrupted).containsExactly("db");
        assertThat(report.worker("db").outcome()).isEqualTo(WorkerOutcome.STOPPED_AFTER_HARD_CANCEL);
        assertThat(report.exitCode()).isEqualTo(ShutdownReport.EXIT_FORCED);
    }

    @Test
    @DisplayName("L1/C8: a worker that ignores the soft cancel is cancelled hard when its grace has passed, not before")
    void hardCancelAtTheEndOfTheGrace(VirtualClock clock, Steps steps) throws Exception {
        Fixture f = new Fixture(1);
        Duration grace = Duration.ofSeconds(3);
        Application app = Application.builder("hard").add(f.ignoresSoftCancel("loop", grace)).build().start();
        f.awaitStarted();
        steps.expect(1);
        app.shutdown("test");
        f.awaitCancelled("loop");
        clock.awaitParked(1);
        clock.advance(grace.minus(NS));           // timers fire on this thread: a hard cancel would be sent by now
        assertThat(f.interrupted).isEmpty();
        assertThat(app.state()).isEqualTo(Application.State.STOPPING);
        steps.expect(2);
        clock.advance(NS);                        // the grace ends: the core turns the cancel hard
        ShutdownReport report = app.awaitTermination();
        steps.finish(3);

        assertThat(f.interrupted).containsExactly("loop");
        WorkerReport loop = report.worker("loop");
        assertThat(loop.outcome()).isEqualTo(WorkerOutcome.STOPPED_AFTER_HARD_CANCEL);
        assertThat(loop.stopTime()).isEqualTo(grace);
        assertThat(loop.grace()).isEqualTo(grace);
    }

    @Test
    @DisplayName("L1: a worker that ignores the interrupt too is abandoned after the hard-stop wait, with its stack, and not waited for")
    void stragglerAbandonedWithStack(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(2, 1);
        Application app = Application.builder("straggler")
                .add(f.polite("first", Duration.ofSeconds(1)), f.stuck("legacy", Duration.ofSeconds(1)))
                .hardStopWait(Duration.ofSeconds(2))
                .build().start();
        f.awaitStarted();
        f.awaitBlockedIn("legacy", "stuckInLegacyCall");
        app.shutdown("test");
        f.awaitCancelled("legacy");
        clock.awaitParked(2);                     // the shutdown thread, and "first" waiting for its turn
        clock.advance(Duration.ofSeconds(1));     // grace over: hard cancel; it ignores it
        clock.awaitParked(2);                     // the shutdown thread in the hard-stop wait
        clock.advance(Duration.ofSeconds(2).minus(NS));
        assertThat(app.state()).isEqualTo(Application.State.STOPPING);
        clock.advance(NS);
        ShutdownReport report = app.awaitTermination();

        assertThat(f.stuckEnded.getCount()).as("still running when the report came").isEqualTo(1);
        WorkerReport legacy = report.worker("legacy");
        assertThat(legacy.outcome()).isEqualTo(WorkerOutcome.ABANDONED);
        assertThat(legacy.stopTime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(legacy.stack()).anySatisfy(e -> assertThat(e.getMethodName()).isEqualTo("stuckInLegacyCall"));
        assertThat(report.format()).contains("legacy", "ABANDONED", "stuckInLegacyCall");
        // The next worker was still stopped, gracefully, after the straggler was given up on.
        assertThat(report.stopOrder()).containsExactly("legacy", "first");
        assertThat(report.worker("first").outcome()).isEqualTo(WorkerOutcome.STOPPED_IN_GRACE);
        assertThat(report.exitCode()).isEqualTo(ShutdownReport.EXIT_FORCED);
        f.unstick();
    }

    @Test
    @DisplayName("L1: the total budget bounds the shutdown: graces are cut and late workers are not waited for")
    void budgetBoundsTheWhole(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(3, 3);
        Duration grace = Duration.ofSeconds(10);
        Application app = Application.builder("budget")
                .add(f.stuck("a", grace), f.stuck("b", grace), f.stuck("c", grace))
                .hardStopWait(Duration.ofSeconds(2))
                .budget(Duration.ofSeconds(15))
                .build().start();
        f.awaitStarted();
        app.shutdown("test");
        f.awaitCancelled("c");
        clock.awaitParked(1);
        clock.advance(grace);                     // c: grace over at 10 s
        clock.awaitParked(1);
        clock.advance(Duration.ofSeconds(2));     // c abandoned at 12 s; b soft, grace cut to 3 s
        f.awaitCancelled("b");
        clock.awaitParked(1);
        clock.advance(Duration.ofSeconds(3).minus(NS));
        assertThat(app.state()).isEqualTo(Application.State.STOPPING);
        clock.advance(NS);                        // 15 s: the budget is spent
        ShutdownReport report = app.awaitTermination();

        assertThat(report.took()).isEqualTo(Duration.ofSeconds(15));
        assertThat(report.withinBudget()).isTrue();
        assertThat(report.stopOrder()).containsExactly("c", "b", "a");
        assertThat(report.workers()).allSatisfy(w -> assertThat(w.outcome()).isEqualTo(WorkerOutcome.ABANDONED));
        assertThat(report.worker("c").grace()).isEqualTo(grace);
        assertThat(report.worker("b").grace()).isEqualTo(Duration.ofSeconds(3));
        assertThat(report.worker("a").grace()).isZero();
        f.unstick();
    }

    @Test
    @DisplayName("L1 negative control: without the budget the same workers take 36 s")
    void withoutTheBudget(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(3, 3);
        Duration grace = Duration.ofSeconds(10);
        Application app = Application.builder("no-budget")
                .add(f.stuck("a", grace), f.stuck("b", grace), f.stuck("c", grace))
                .hardStopWait(Duration.ofSeconds(2))
                .budget(Duration.ofDays(1))
                .build().start();
        f.awaitStarted();
        app.shutdown("test");
        for (String name : java.util.List.of("c", "b", "a")) {
            f.awaitCancelled(name);
            clock.awaitParked(1);
            clock.advance(grace);
            clock.awaitParked(1);
            clock.advance(Duration.ofSeconds(2));
        }
        ShutdownReport report = app.awaitTermination();
        assertThat(report.took()).isEqualTo(Duration.ofSeconds(36));
        f.unstick();
    }

    @Test
    @DisplayName("L1: a second signal during the shutdown cancels everyone hard at once; a third is ignored; cleanup runs once")
    void secondSignalEscalates(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(2);
        Duration grace = Duration.ofSeconds(30);
        Application app = Application.builder("signals")
                .add(f.ignoresSoftCancel("a", grace), f.ignoresSoftCancel("b", grace))
                .build().start();
        f.awaitStarted();
        app.signal("SIGTERM");
        f.awaitCancelled("b");
        clock.awaitParked(1);                     // b in its grace; a not asked yet
        assertThat(f.tokens.get("a").isCancelled()).isFalse();
        assertThat(f.interrupted).isEmpty();
        app.signal("SIGINT");                     // at once, no clock move
        ShutdownReport report = app.awaitTermination();
        app.signal("SIGTERM");                    // a third: ignored

        assertThat(f.interrupted).containsExactlyInAnyOrder("a", "b");
        assertThat(f.cleanups).containsEntry("a", 1).containsEntry("b", 1);
        assertThat(report.took()).isZero();
        assertThat(report.reason()).isEqualTo("SIGTERM");
        assertThat(report.escalation()).hasValueSatisfying(e -> assertThat(e).contains("SIGINT during the shutdown"));
        assertThat(report.workers()).allSatisfy(w -> assertThat(w.outcome()).isEqualTo(WorkerOutcome.STOPPED_AFTER_HARD_CANCEL));
        assertThat(report.exitCode()).isEqualTo(ShutdownReport.EXIT_FORCED);
    }

    @Test
    @DisplayName("L1: a signal during a requested shutdown escalates it")
    void signalDuringRequestedShutdownEscalates(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(2);
        Duration grace = Duration.ofSeconds(30);
        Application app = Application.builder("deploy-then-ctrl-c")
                .add(f.ignoresSoftCancel("a", grace), f.ignoresSoftCancel("b", grace))
                .build().start();
        f.awaitStarted();
        app.shutdown("deploy");
        f.awaitCancelled("b");
        app.signal("SIGINT");
        ShutdownReport report = app.awaitTermination();
        assertThat(report.reason()).isEqualTo("deploy");
        assertThat(report.escalation()).contains("SIGINT during the shutdown");
        assertThat(report.took()).isZero();
        assertThat(f.interrupted).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    @DisplayName("L1 negative control: with one signal only, the first worker is not cancelled while the last is in its grace")
    void oneSignalDoesNotEscalate(VirtualClock clock) throws Exception {
        Fixture f = new Fixture(2);
        Duration grace = Duration.ofSeconds(30);
        Application app = Application.builder("one-signal")
                .add(f.ignoresSoftCancel("a", grace), f.ignoresSoftCancel("b", grace))
                .budget(Duration.ofMinutes(5))
                .build().start();
        f.awaitStarted();
        app.signal("SIGTERM");
        f.awaitCancelled("b");
        clock.awaitParked(1);
        clock.advance(grace.minus(NS));
        assertThat(f.tokens.get("a").isCancelled()).isFalse();
        assertThat(f.interrupted).isEmpty();
        clock.advance(NS);                        // b hard
        f.awaitCancelled("a");                    // b has ended: a's turn
        clock.awaitParked(1);                     // a in its grace
        clock.advance(grace);                     // a hard
        ShutdownReport report = app.awaitTermination();
        assertThat(report.escalation()).isEmpty();
        assertThat(report.took()).isEqualTo(grace.multipliedBy(2));
    }
}
