package org.cancelkit.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.cancelkit.testkit.ChildJvm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-file transactions killed for real (TESTING.md, "Multi-file transaction"; F4): a child JVM
 * ({@link TxChild}) halts itself at every step of the protocol in turn, or is killed with SIGKILL at a
 * random moment, or dies inside recovery after dying inside a commit (a double fault). Then this
 * process recovers the directory and checks: all three files old or all new, the right one for the
 * step; nothing left over; a transaction that was acknowledged is applied; a second recovery changes
 * nothing (recovery converges within 2 runs).
 *
 * <p>Counts: 20 trials per step and 300 random kills under {@code -Pstress}; in the default build 4
 * trials per step and 40 random kills, to keep the build short.
 */
class TransactionCrashTest {
    /** The io module, for the child JVM's class path (the core is always there). */
    private static final List<Class<?>> CHILD_CLASSES = List.of(AtomicFileWriter.class);

    private static final long SEED = Long.getLong("cancelkit.seed", System.nanoTime());
    private static final String[] FILES = TxChild.FILES;

    @TempDir
    Path root;

    /** A point of the protocol, the n-th time the step is reported, and whether the new files win. */
    record Point(CommitStep step, int n, boolean expectNew) {}

    static final List<Point> POINTS = List.of(
            new Point(CommitStep.TEMP_WRITTEN, 1, false), new Point(CommitStep.TEMP_WRITTEN, 2, false),
            new Point(CommitStep.TEMP_WRITTEN, 3, false), new Point(CommitStep.INTENT_WRITTEN, 1, false),
            new Point(CommitStep.INTENT_DURABLE, 1, false), new Point(CommitStep.COMMIT_RENAMED, 1, true),
            new Point(CommitStep.COMMITTED, 1, true), new Point(CommitStep.TARGET_REPLACED, 1, true),
            new Point(CommitStep.TARGET_REPLACED, 2, true), new Point(CommitStep.TARGET_REPLACED, 3, true),
            new Point(CommitStep.TARGETS_DURABLE, 1, true), new Point(CommitStep.RECORD_DELETED, 1, true),
            new Point(CommitStep.FINISHED, 1, true));

    @Test
    void crashAtEveryStep_fourTrialsEach_F4() throws Exception {
        crashAtEveryStep(4);
    }

    @Test
    @Tag("stress")
    void crashAtEveryStep_twentyTrialsEach_F4() throws Exception {
        crashAtEveryStep(20);
    }

    private void crashAtEveryStep(int trials) throws Exception {
        List<Callable<Void>> work = new ArrayList<>();
        AtomicInteger rolledForward = new AtomicInteger();
        AtomicInteger rolledBack = new AtomicInteger();
        for (Point p : POINTS) {
            for (int t = 0; t < trials; t++) {
                Path dir = root.resolve(p.step + "-" + p.n + "-" + t);
                long seed = SEED + t;
                work.add(() -> {
                    long old = setUp(dir);
                    try (ChildJvm child = child("halt", dir.toString(), Long.toString(old + 1), Long.toString(seed),
                            p.step.name(), Integer.toString(p.n))) {
                        assertThat(child.waitFor()).as(p + ": the child halts at the step").isEqualTo(137);
                    }
                    RecoveryReport r = checkRecovered(dir, p.expectNew ? old + 1 : old, p.toString());
                    rolledForward.addAndGet(r.rolledForward());
                    rolledBack.addAndGet(r.rolledBack());
                    return null;
                });
            }
        }
        Lanes.run(2, work, SEED);
        System.out.println("[transaction, crash at every step] " + POINTS.size() + " steps x " + trials
                + " trials, seed " + SEED + ": all old before the commit point, all new after it; recovery rolled "
                + rolledForward + " forward and " + rolledBack + " back");
    }

    @Test
    void randomKills_forty_F4() throws Exception {
        randomKills(40);
    }

    @Test
    @Tag("stress")
    void randomKills_threeHundred_F4() throws Exception {
        randomKills(300);
    }

    private void randomKills(int kills) throws Exception {
        AtomicInteger unacked = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        List<Callable<Void>> lanes = new ArrayList<>();
        for (int lane = 0; lane < 2; lane++) {
            Path dir = root.resolve("kills" + lane);
            Random rnd = new Random(SEED + lane);
            int share = kills / 2 + (lane < kills % 2 ? 1 : 0);
            lanes.add(() -> {
                long version = setUp(dir);
                for (int k = 0; k < share; k++) {
                    long lastAck = version;
                    try (ChildJvm child = child("loop", dir.toString(), Long.toString(version),
                            Long.toString(rnd.nextLong()))) {
                        for (int i = rnd.nextInt(3); i > 0; i--) {
                            lastAck = Long.parseLong(child.await("ACK ").substring(4));
                        }
                        LockSupport.parkNanos(rnd.nextLong(15_000_000)); // jitter: where the kill lands
                        child.kill();
                        for (String line : child.drain()) {
                            if (line.startsWith("ACK ")) {
                                lastAck = Long.parseLong(line.substring(4));
                            }
                        }
                    }
                    RecoveryReport r = AtomicFiles.recover(dir);
                    inFlight.addAndGet(r.rolledForward() + r.rolledBack() + r.tempFilesRemoved() > 0 ? 1 : 0);
                    version = versionOfAll(dir, "kill " + k + " in " + dir);
                    assertThat(version).as("kill %d: last ACK %d", k, lastAck).isBetween(lastAck, lastAck + 1);
                    unacked.addAndGet(version == lastAck + 1 ? 1 : 0);
                    assertThat(TestFiles.leftovers(dir)).isEmpty();
                    assertThat(AtomicFiles.recover(dir).changedNothing()).isTrue();
                }
                return null;
            });
        }
        Lanes.run(2, lanes, SEED);
        System.out.println("[transaction, random kills] " + kills + " kills, seed " + SEED + ": 0 mixed; "
                + inFlight + " left a transaction or temporary file for recovery, " + unacked
                + " ended on the unacknowledged transaction");
        assertThat(inFlight.get()).as("kills that landed inside a transaction (else the test proves nothing)")
                .isPositive();
    }

    /** A crash inside recovery after a crash inside a commit (and once a third crash): it converges. */
    @Test
    void crashInsideRecovery_doubleFault_F4() throws Exception {
        record Scenario(Point commitCrash, List<Point> recoveryCrashes) {}
        List<Scenario> scenarios = List.of(
                new Scenario(new Point(CommitStep.TARGET_REPLACED, 1, true),
                        List.of(new Point(CommitStep.RECOVERY_TARGET_REPLACED, 1, true))),
                new Scenario(new Point(CommitStep.COMMITTED, 1, true),
                        List.of(new Point(CommitStep.RECOVERY_RECORD_DELETED, 1, true))),
                new Scenario(new Point(CommitStep.INTENT_DURABLE, 1, false),
                        List.of(new Point(CommitStep.RECOVERY_TEMP_REMOVED, 2, false))),
                new Scenario(new Point(CommitStep.COMMIT_RENAMED, 1, true),
                        List.of(new Point(CommitStep.RECOVERY_TARGET_REPLACED, 2, true),
                                new Point(CommitStep.RECOVERY_TARGET_REPLACED, 1, true))));
        List<Callable<Void>> work = new ArrayList<>();
        for (int s = 0; s < scenarios.size(); s++) {
            Scenario sc = scenarios.get(s);
            for (int t = 0; t < 3; t++) {
                Path dir = root.resolve("double" + s + "-" + t);
                work.add(() -> {
                    long old = setUp(dir);
                    Point c = sc.commitCrash;
                    try (ChildJvm child = child("halt", dir.toString(), Long.toString(old + 1), "1", c.step.name(),
                            Integer.toString(c.n))) {
                        assertThat(child.waitFor()).isEqualTo(137);
                    }
                    for (Point r : sc.recoveryCrashes) {
                        try (ChildJvm child = child("recover-halt", dir.toString(), r.step.name(),
                                Integer.toString(r.n))) {
                            assertThat(child.waitFor()).as(sc + ": halted inside recovery").isEqualTo(137);
                        }
                    }
                    checkRecovered(dir, c.expectNew ? old + 1 : old, sc.toString());
                    return null;
                });
            }
        }
        Lanes.run(2, work, SEED);
        System.out.println("[transaction, crash inside recovery] " + work.size() + " double and triple faults: "
                + "converged in one more recovery, 0 mixed, 0 leftovers");
    }

    /**
     * The tour's scenario: a three-file update whose process is killed from outside mid-commit (after the
     * first of three files was replaced), then recovered by the next run: all three new.
     */
    @Test
    void threeFileUpdateKilledMidCommit_thenRecovered_F4() throws Exception {
        Path dir = root.resolve("tour");
        long old = setUp(dir);
        try (ChildJvm child = child("pause", dir.toString(), Long.toString(old + 1), "TARGET_REPLACED", "1")) {
            child.await("PAUSED");
            List<Long> seen = new ArrayList<>();
            for (String f : FILES) {
                seen.add(Versions.parse(Files.readAllBytes(dir.resolve(f))));
            }
            assertThat(seen).containsExactly(old + 1, old, old); // a reader now sees a mix: mid-commit
            child.kill();
        }
        try (FileTransaction next = FileTransaction.begin(dir)) { // the next run
            assertThat(next.recovery().rolledForward()).isEqualTo(1);
            assertThat(next.recovery().staleLockOwner()).isPresent();
        }
        assertThat(versionOfAll(dir, "after recovery")).isEqualTo(old + 1);
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }

    /** A live owner's lock is never broken; a killed owner's is taken over at once, and reported. */
    @Test
    void liveLockIsNeverBroken_deadOwnersLockIsTakenOver() throws Exception {
        Path dir = root.resolve("lock");
        long old = setUp(dir);
        FileOptions noWait = FileOptions.defaults().withLockTimeout(Duration.ZERO);
        try (ChildJvm holder = child("hold", dir.toString(), Long.toString(old + 1))) {
            long pid = Long.parseLong(holder.await("LOCKED ").substring(7));
            assertThatThrownBy(() -> FileTransaction.begin(dir, noWait)).isInstanceOf(FileSystemException.class)
                    .hasMessageContaining("pid " + pid).hasMessageContaining("locked by");
            assertThatThrownBy(() -> AtomicFiles.recover(dir, noWait)).hasMessageContaining("pid " + pid);
            holder.kill(); // dies holding the lock, mid-transaction
            try (FileTransaction tx = FileTransaction.begin(dir, noWait)) {
                assertThat(tx.recovery().staleLockOwner()).hasValueSatisfying(o -> assertThat(o).contains("pid " + pid));
            }
        }
        assertThat(versionOfAll(dir, "after the holder was killed")).isEqualTo(old);
        try (ChildJvm holder = child("hold", dir.toString(), Long.toString(old + 1))) {
            holder.await("LOCKED ");
            holder.send("go"); // the live owner finishes on its own; nobody broke its lock
            holder.await("DONE");
            assertThat(holder.waitFor()).isZero();
        }
        assertThat(versionOfAll(dir, "after the holder committed")).isEqualTo(old + 1);
    }

    private ChildJvm child(String... args) throws IOException {
        return ChildJvm.start(root.resolve("logs"), TxChild.class, CHILD_CLASSES, args);
    }

    /** Writes version 0 of the three files; returns 0. */
    private static long setUp(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < FILES.length; i++) {
            AtomicFiles.write(dir.resolve(FILES[i]), Versions.content(0, 500 + i, i));
        }
        return 0;
    }

    private static RecoveryReport checkRecovered(Path dir, long expected, String what) throws IOException {
        RecoveryReport r = AtomicFiles.recover(dir);
        assertThat(versionOfAll(dir, what)).as(what).isEqualTo(expected);
        assertThat(TestFiles.leftovers(dir)).as(what + ": leftovers").isEmpty();
        assertThat(AtomicFiles.recover(dir).changedNothing()).as(what + ": a second recovery").isTrue();
        return r;
    }

    /** The version all three files hold; fails when one is torn or they differ (F4). */
    static long versionOfAll(Path dir, String what) throws IOException {
        Long first = null;
        for (String f : FILES) {
            Long v = Versions.parse(Files.readAllBytes(dir.resolve(f)));
            assertThat(v).as(what + ": " + f + " is torn").isNotNull();
            if (first == null) {
                first = v;
            }
            assertThat(v).as(what + ": mixed versions").isEqualTo(first);
        }
        return first;
    }
}
