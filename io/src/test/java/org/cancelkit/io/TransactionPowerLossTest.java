package org.cancelkit.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Simulated power loss for the multi-file transaction (F4): three files change together in 1–3
 * transactions on a {@link SimFs}; the power goes out at a random call (or at every call in turn,
 * with 20 different disk images each); recovery runs, sometimes crashing itself first. Pass: the three
 * files are whole and hold one and the same version, the last acknowledged one or the one in flight;
 * no journal or temporary file remains; a second recovery changes nothing.
 */
class TransactionPowerLossTest {
    static final Path DIR = Path.of("/sim/tx");
    static final String[] FILES = {"app.conf", "users.db", "keys.bin"};
    private static final long SEED = Long.getLong("cancelkit.seed", System.nanoTime());

    /** What a batch of trials found. */
    static final class Findings {
        int trials;
        int crashedInFlight;
        int newerThanAcked;
        int torn;
        int mixed;
        int lostAcknowledged;
        int leftovers;
        int recoveryNotIdempotent;
        int recoveryCrashes;

        int violations() {
            return torn + mixed + lostAcknowledged + leftovers + recoveryNotIdempotent;
        }

        @Override
        public String toString() {
            return trials + " crashes (" + crashedInFlight + " inside a transaction, " + recoveryCrashes
                    + " also inside recovery, " + newerThanAcked + " ended on the transaction in flight): torn " + torn
                    + ", mixed " + mixed + ", lost acknowledged " + lostAcknowledged + ", leftovers " + leftovers
                    + ", recovery not idempotent " + recoveryNotIdempotent;
        }
    }

    @Test
    void tenThousandSimulatedPowerLosses_F4() throws IOException {
        Findings f = new Findings();
        Random rnd = new Random(SEED);
        for (int t = 0; t < 10_000; t++) {
            Random r = new Random(rnd.nextLong());
            Plan p = Plan.random(r, 1 + r.nextInt(3));
            trial(r, p, r.nextLong(p.calls(true, true) + 1), f, true, true);
        }
        System.out.println("[power loss, transaction] seed " + SEED + ": " + f);
        assertThat(f.violations()).as("%s (seed %d)", f, SEED).isZero();
        assertThat(f.newerThanAcked).isPositive();
    }

    /** Crash at every file-system call of a transaction in turn, 20 disk images per call. */
    @Test
    void crashAtEveryCall_twentyImagesEach_F4() throws IOException {
        Findings f = new Findings();
        Random rnd = new Random(SEED);
        Plan p = Plan.random(rnd, 1);
        long total = p.calls(true, true);
        for (long k = 0; k <= total; k++) {
            for (int j = 0; j < 20; j++) {
                trial(rnd, p, k, f, true, true);
            }
        }
        System.out.println("[power loss, transaction, every call] " + (total + 1) + " calls x 20, seed " + SEED + ": "
                + f);
        assertThat(f.violations()).as("%s (seed %d)", f, SEED).isZero();
    }

    @Test
    @Tag("stress")
    void hundredThousandSimulatedPowerLosses_stress() throws IOException {
        Findings f = new Findings();
        Random rnd = new Random(SEED);
        for (int t = 0; t < 100_000; t++) {
            Random r = new Random(rnd.nextLong());
            Plan p = Plan.random(r, 1 + r.nextInt(3));
            trial(r, p, r.nextLong(p.calls(true, true) + 1), f, true, true);
        }
        System.out.println("[power loss, transaction, stress] seed " + SEED + ": " + f);
        assertThat(f.violations()).as("%s (seed %d)", f, SEED).isZero();
    }

    /** Negative control: without directory syncs, a mixed set or a lost commit is found. */
    @Test
    void negativeControl_noDirectorySync_findsMixedOrLost() throws IOException {
        Findings f = batch(2_000, false);
        System.out.println("[power loss, transaction, no directory sync] seed " + SEED + ": " + f);
        assertThat(f.mixed + f.lostAcknowledged).as("seed %d", SEED).isPositive();
    }

    /** Negative control: without file syncs, a torn file is found. */
    @Test
    void negativeControl_noFileSync_findsTorn() throws IOException {
        Findings f = batch(2_000, true);
        System.out.println("[power loss, transaction, no file sync] seed " + SEED + ": " + f);
        assertThat(f.torn).as("seed %d", SEED).isPositive();
    }

    private static Findings batch(int trials, boolean dirSync) throws IOException {
        Findings f = new Findings();
        Random rnd = new Random(SEED);
        for (int t = 0; t < trials; t++) {
            Random r = new Random(rnd.nextLong());
            Plan p = Plan.random(r, 1 + r.nextInt(3));
            boolean fileSync = !dirSync;
            try {
                trial(r, p, r.nextLong(p.calls(fileSync, dirSync) + 1), f, fileSync, dirSync);
            } catch (IOException e) {
                f.torn++; // a broken disk can corrupt the journal itself: recovery refuses, which counts as found
            }
        }
        return f;
    }

    /** The versions of the three files, version 0 being on disk at the start. */
    record Plan(byte[][][] versions) {
        static Plan random(Random rnd, int transactions) {
            byte[][][] v = new byte[transactions + 1][FILES.length][];
            long salt = rnd.nextLong();
            for (int t = 0; t <= transactions; t++) {
                for (int i = 0; i < FILES.length; i++) {
                    int size = rnd.nextInt(5) == 0 ? rnd.nextInt(40_000) : rnd.nextInt(2_500);
                    v[t][i] = Versions.content(t, size, salt + i);
                }
            }
            return new Plan(v);
        }

        int transactions() {
            return versions.length - 1;
        }

        SimFs disk(boolean fileSync, boolean dirSync) {
            SimFs fs = new SimFs(DIR);
            for (int i = 0; i < FILES.length; i++) {
                fs.putDurable(DIR.resolve(FILES[i]), versions[0][i]);
            }
            fs.honourFileSync = fileSync;
            fs.honourDirSync = dirSync;
            return fs;
        }

        long calls(boolean fileSync, boolean dirSync) throws IOException {
            SimFs dry = disk(fileSync, dirSync);
            run(dry, new int[1]);
            return dry.calls();
        }

        /** Runs the transactions until the disk crashes; returns the last one attempted. */
        int run(SimFs fs, int[] acked) throws IOException {
            for (int t = 1; t <= transactions(); t++) {
                try (FileTransaction tx = FileTransaction.begin(DIR, FileOptions.defaults(), fs)) {
                    for (int i = 0; i < FILES.length; i++) {
                        tx.write(FILES[i], versions[t][i]);
                    }
                    tx.commit();
                } catch (SimFs.Crash e) {
                    return t;
                }
                acked[0] = t;
            }
            return transactions();
        }
    }

    static void trial(Random rnd, Plan p, long crashAt, Findings f, boolean fileSync, boolean dirSync)
            throws IOException {
        SimFs fs = p.disk(fileSync, dirSync);
        fs.crashAtCall(crashAt);
        int[] acked = {0};
        int attempted = p.run(fs, acked);
        f.trials++;
        boolean inFlight = fs.crashed() && attempted == acked[0] + 1;
        if (inFlight) {
            f.crashedInFlight++;
        }
        SimFs disk = fs.crashImage(rnd);
        if (rnd.nextInt(3) == 0) { // a crash inside recovery too: a double fault
            disk.crashAtCall(rnd.nextInt(20));
            try {
                AtomicFiles.recover(DIR, FileOptions.defaults(), disk);
            } catch (SimFs.Crash e) {
                f.recoveryCrashes++;
            }
            disk = disk.crashImage(rnd);
        }
        if (!AtomicFiles.recover(DIR, FileOptions.defaults(), disk).refused().isEmpty()) {
            f.torn++; // a broken disk can corrupt the journal itself: recovery refuses, which counts as found
            return;
        }
        if (!AtomicFiles.recover(DIR, FileOptions.defaults(), disk).changedNothing()) {
            f.recoveryNotIdempotent++;
        }
        Long first = null;
        boolean torn = false;
        boolean mixed = false;
        for (int i = 0; i < FILES.length; i++) {
            byte[] found = disk.read(DIR.resolve(FILES[i]));
            Long v = Versions.parse(found);
            if (v == null || v < 0 || v > p.transactions() || !Arrays.equals(found, p.versions[(int) (long) v][i])) {
                torn = true;
            } else if (first == null) {
                first = v;
            } else if (!first.equals(v)) {
                mixed = true;
            }
        }
        if (torn) {
            f.torn++;
        } else if (mixed) {
            f.mixed++;
        } else if (first < acked[0]) {
            f.lostAcknowledged++;
        } else if (first > acked[0] + (inFlight ? 1 : 0)) {
            f.torn++; // a version never committed
        } else if (first > acked[0]) {
            f.newerThanAcked++;
        }
        if (!TestFiles.leftovers(disk.names(DIR)).isEmpty()) {
            f.leftovers++;
        }
    }
}
