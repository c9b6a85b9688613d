package org.cancelkit.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Simulated power loss for the single-file replace (TESTING.md, "Simulated power loss"): a writer
 * replaces a target 1–3 times on a {@link SimFs}; the power goes out at a random file-system call;
 * the disk comes back with unsynced writes kept, dropped or torn by sector and unsynced directory
 * operations kept, dropped, or partly applied in order or shuffled; recovery runs (sometimes crashing
 * too, then running again). Pass: the target is whole and holds the last acknowledged version or the
 * one being written (F1), never an older one (F2); no leftover; a second recovery changes nothing.
 */
class PowerLossTest {
    static final Path DIR = Path.of("/sim/data");
    static final Path TARGET = DIR.resolve("state.bin");
    private static final long SEED = Long.getLong("cancelkit.seed", System.nanoTime());

    /** What a batch of trials found. */
    static final class Findings {
        int trials;
        int crashedDuringCommit;
        int newerThanAcked;
        int tornOrForeign;
        int lostAcknowledged;
        int leftovers;
        int recoveryNotIdempotent;
        int recoveryCrashes;

        @Override
        public String toString() {
            return trials + " crashes (" + crashedDuringCommit + " during a commit, " + recoveryCrashes
                    + " also inside recovery; " + newerThanAcked + " ended on the version being written): torn or "
                    + "foreign " + tornOrForeign + ", lost acknowledged " + lostAcknowledged + ", leftovers "
                    + leftovers + ", recovery not idempotent " + recoveryNotIdempotent;
        }
    }

    @Test
    void tenThousandSimulatedPowerLosses_F1_F2_F3() throws IOException {
        Findings f = run(10_000, SEED, true, true);
        System.out.println("[power loss, writer] seed " + SEED + ": " + f);
        assertThat(f.tornOrForeign).as("targets neither old nor new (seed %d)", SEED).isZero();
        assertThat(f.lostAcknowledged).as("lost acknowledged commits (seed %d)", SEED).isZero();
        assertThat(f.leftovers).as("leftovers after recovery (seed %d)", SEED).isZero();
        assertThat(f.recoveryNotIdempotent).isZero();
        assertThat(f.crashedDuringCommit).as("crashes that landed inside a commit").isGreaterThan(5_000);
        assertThat(f.newerThanAcked).as("crashes that kept the unacknowledged version").isPositive();
    }

    @Test
    @Tag("stress")
    void hundredThousandSimulatedPowerLosses_stress() throws IOException {
        Findings f = run(100_000, SEED, true, true);
        System.out.println("[power loss, writer, stress] seed " + SEED + ": " + f);
        assertThat(f.tornOrForeign + f.lostAcknowledged + f.leftovers + f.recoveryNotIdempotent).isZero();
    }

    /** Negative control: without the directory sync, an acknowledged rename is lost. */
    @Test
    void negativeControl_noDirectorySync_findsALostRename() throws IOException {
        Findings f = run(2_000, SEED, true, false);
        System.out.println("[power loss, writer, no directory sync] seed " + SEED + ": " + f);
        assertThat(f.lostAcknowledged).as("lost acknowledged commits (seed %d)", SEED).isPositive();
    }

    /** Negative control: without the file sync, a torn target is found. */
    @Test
    void negativeControl_noFileSync_findsATornTarget() throws IOException {
        Findings f = run(2_000, SEED, false, true);
        System.out.println("[power loss, writer, no file sync] seed " + SEED + ": " + f);
        assertThat(f.tornOrForeign).as("torn targets (seed %d)", SEED).isPositive();
    }

    static Findings run(int trials, long seed, boolean fileSync, boolean dirSync) throws IOException {
        Random rnd = new Random(seed);
        Findings f = new Findings();
        for (int t = 0; t < trials; t++) {
            trial(new Random(rnd.nextLong()), f, fileSync, dirSync);
        }
        return f;
    }

    private static void trial(Random rnd, Findings f, boolean fileSync, boolean dirSync) throws IOException {
        int commits = 1 + rnd.nextInt(3);
        int[] sizes = new int[commits + 1];
        for (int i = 0; i <= commits; i++) {
            sizes[i] = rnd.nextInt(4) == 0 ? rnd.nextInt(70_000) : rnd.nextInt(3_000);
        }
        long salt = rnd.nextLong();
        byte[][] versions = new byte[commits + 1][];
        for (int v = 0; v <= commits; v++) {
            versions[v] = Versions.content(v, sizes[v], salt);
        }
        SimFs dry = disk(versions, fileSync, dirSync);
        int[] acked = {0};
        writeVersions(dry, versions, acked);
        long total = dry.calls();

        SimFs fs = disk(versions, fileSync, dirSync);
        fs.crashAtCall(rnd.nextLong(total + 1));
        acked[0] = 0;
        int attempted = writeVersions(fs, versions, acked);
        f.trials++;
        if (fs.crashed()) {
            f.crashedDuringCommit++;
        }
        SimFs disk = fs.crashImage(rnd);
        if (rnd.nextInt(4) == 0) { // a crash inside recovery too: a double fault
            disk.crashAtCall(rnd.nextInt(12));
            try {
                AtomicFiles.recover(DIR, FileOptions.defaults(), disk);
            } catch (SimFs.Crash e) {
                f.recoveryCrashes++;
            }
            disk = disk.crashImage(rnd);
        }
        AtomicFiles.recover(DIR, FileOptions.defaults(), disk);
        if (!AtomicFiles.recover(DIR, FileOptions.defaults(), disk).changedNothing()) {
            f.recoveryNotIdempotent++;
        }
        byte[] found = disk.read(TARGET);
        Long v = Versions.parse(found);
        boolean inFlight = fs.crashed() && attempted == acked[0] + 1;
        if (v == null || v < 0 || v > commits || !Arrays.equals(found, versions[(int) (long) v])) {
            f.tornOrForeign++;
        } else if (v < acked[0]) {
            f.lostAcknowledged++;
        } else if (v > acked[0] + (inFlight ? 1 : 0)) {
            f.tornOrForeign++; // a version never written: impossible unless the checker is broken
        } else if (v > acked[0]) {
            f.newerThanAcked++;
        }
        if (!TestFiles.leftovers(disk.names(DIR)).isEmpty()) {
            f.leftovers++;
        }
    }

    private static SimFs disk(byte[][] versions, boolean fileSync, boolean dirSync) {
        SimFs fs = new SimFs(DIR);
        fs.putDurable(TARGET, versions[0]);
        fs.honourFileSync = fileSync;
        fs.honourDirSync = dirSync;
        return fs;
    }

    /** Writes versions 1..n until the disk crashes; returns the last version attempted. */
    private static int writeVersions(SimFs fs, byte[][] versions, int[] acked) throws IOException {
        int n = versions.length - 1;
        for (int v = 1; v <= n; v++) {
            try {
                byte[] content = versions[v];
                AtomicFiles.write(TARGET, out -> out.write(content), FileOptions.defaults(), fs);
                acked[0] = v;
            } catch (SimFs.Crash e) {
                return v;
            }
        }
        return n;
    }
}
