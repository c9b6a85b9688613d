package org.cancelkit.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.cancelkit.testkit.ChildJvm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during replace (TESTING.md): a child JVM ({@link ReplaceLoop}) replaces a target version
 * after version and prints {@code ACK v} after each commit; the parent kills it with SIGKILL at a random
 * moment, then recovers the directory from this process and checks from outside. Pass over every kill:
 * the target parses (0 torn, empty or unparsable); its version is the last ACK or the next one; 0
 * temporary files after recovery; a second recovery changes nothing.
 *
 * <p>The kill moment: after a random number (0–3) of ACKs, the parent waits for the child's next
 * {@code WRITE} line (printed once the content is computed, just before the write starts) and kills
 * after a jitter of up to 1 ms, so the kill lands in the write, its sync, its rename or just after. On a
 * fast file system (a tmpfs sync is a no-op) few kills land inside a write, so the test proves the point
 * it relies on: when no kill of the planned ones left a temporary file, it kills again, in rounds of the
 * same size, up to {@value #ROUNDS} rounds, and fails if none ever did. The jitter only spreads the kills;
 * the test waits for nothing but the child's own output.
 */
class KillDuringReplaceTest {
    /** The io module, for the child JVM's class path (the core is always there). */
    private static final List<Class<?>> CHILD_CLASSES = List.of(AtomicFileWriter.class);

    /** At most this many rounds of kills, until one lands inside a write. */
    private static final int ROUNDS = 4;

    private static final long SEED = Long.getLong("cancelkit.seed", System.nanoTime());

    @TempDir
    Path root;

    @Test
    void killMinus9DuringReplace_fiftyKills_F1_F3() throws Exception {
        run(50, 2);
    }

    @Test
    @Tag("stress")
    void killMinus9DuringReplace_threeHundredKills_F1_F3() throws Exception {
        run(300, 2);
    }

    private void run(int kills, int lanes) throws Exception {
        AtomicInteger tempsLeft = new AtomicInteger();
        AtomicInteger unacknowledgedKept = new AtomicInteger();
        long t0 = System.nanoTime();
        int rounds = 0;
        while (rounds < ROUNDS && (rounds == 0 || tempsLeft.get() == 0)) {
            round(rounds++, kills, lanes, tempsLeft, unacknowledgedKept);
        }
        System.out.printf("[kill -9 during replace] %d kills in %.1f s, seed %d: 0 torn; %d left a temporary file "
                + "(removed by recovery), %d ended on the unacknowledged version%n", kills * rounds,
                (System.nanoTime() - t0) / 1e9, SEED, tempsLeft.get(), unacknowledgedKept.get());
        assertThat(tempsLeft.get()).as("kills that landed inside a write in " + kills * rounds
                + " kills (else the test proves nothing)").isPositive();
    }

    private void round(int round, int kills, int lanes, AtomicInteger tempsLeft, AtomicInteger unacknowledgedKept)
            throws Exception {
        List<Throwable> failures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            int l = lane;
            int share = kills / lanes + (lane < kills % lanes ? 1 : 0);
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    lane(root.resolve("lane" + l), new Random(SEED + 31L * round + l), share, tempsLeft,
                            unacknowledgedKept);
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("seed " + SEED + ", round " + round + ": " + failures.getFirst(),
                    failures.getFirst());
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    private static void lane(Path dir, Random rnd, int kills, AtomicInteger tempsLeft, AtomicInteger unacked)
            throws Exception {
        Files.createDirectories(dir);
        Path target = dir.resolve("state.bin");
        AtomicFiles.write(target, Versions.content(0, 1000, 42));
        for (int k = 0; k < kills; k++) {
            long start = version(target);
            long lastAck = start;
            try (ChildJvm child = ChildJvm.start(dir.resolveSibling("logs"), ReplaceLoop.class, CHILD_CLASSES,
                    target.toString(), Long.toString(start), Long.toString(rnd.nextLong()))) {
                child.await("READY");
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    lastAck = Long.parseLong(child.await("ACK ").substring(4));
                }
                child.await("WRITE ");
                LockSupport.parkNanos(rnd.nextLong(1_000_000)); // jitter: where in the write the kill lands
                child.kill();
                for (String line : child.drain()) {
                    if (line.startsWith("ACK ")) {
                        lastAck = Long.parseLong(line.substring(4));
                    }
                }
            }
            String at = "kill " + k + " in " + dir + " (last ACK " + lastAck + ")";
            RecoveryReport first = AtomicFiles.recover(dir);
            tempsLeft.addAndGet(first.tempFilesRemoved());
            Long v = Versions.parse(Files.readAllBytes(target));
            assertThat(v).as(at + ": torn, empty or unparsable target").isNotNull();
            assertThat(v).as(at).isBetween(lastAck, lastAck + 1);
            if (v == lastAck + 1) {
                unacked.incrementAndGet();
            }
            assertThat(TestFiles.leftovers(dir)).as(at).isEmpty();
            assertThat(AtomicFiles.recover(dir).changedNothing()).as(at + ": second recovery").isTrue();
        }
    }

    private static long version(Path target) throws IOException {
        Long v = Versions.parse(Files.readAllBytes(target));
        assertThat(v).isNotNull();
        return v;
    }

    /** Negative control: the same kills on a child writing in place find a torn target. */
    @Test
    void negativeControl_inPlaceWrites_areFoundTorn() throws Exception {
        Path dir = Files.createDirectories(root.resolve("unsafe"));
        Path target = dir.resolve("state.bin");
        Files.write(target, Versions.content(0, 1000, 42));
        Random rnd = new Random(SEED);
        int torn = 0;
        int kills = 0;
        while (torn == 0 && kills < 40) {
            kills++;
            try (ChildJvm child = ChildJvm.start(root.resolve("logs"), ReplaceLoop.class, CHILD_CLASSES,
                    target.toString(), "0", Long.toString(rnd.nextLong()), Long.toString(Long.MAX_VALUE), "unsafe")) {
                child.await("READY");
                child.await("ACK ");
                LockSupport.parkNanos(rnd.nextLong(5_000_000));
                child.kill();
            }
            if (Versions.parse(Files.readAllBytes(target)) == null) {
                torn++;
            }
        }
        System.out.println("[kill -9, negative control] in-place writes: torn target found after " + kills + " kills");
        assertThat(torn).as("a torn target, with in-place writes").isPositive();
    }
}
