package org.cancelkit.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.CancelReason;
import org.cancelkit.CancelledException;
import org.cancelkit.CancellationSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancel during an 8 MiB write (TESTING.md, "Cancel during write"): at a random byte offset of the
 * write, or at a random step of the commit, by a cooperative cancel (hard, soft, from this thread or
 * another) or by an interrupt (which closes a {@code FileChannel}), on platform and virtual threads.
 * Pass: the target is old and the call failed, or new and the call succeeded (new exactly when the
 * cancel came after the rename); the temporary file is gone; the interrupt status is preserved (set
 * after an interrupt, clear after a cancelkit cancel: C4).
 *
 * <p>No sleeps: the cancel is fired by a hook at the chosen point, and a cancel from another thread is
 * a handshake (the writer waits until the other thread's {@code cancel()} or {@code interrupt()} has
 * returned).
 */
class CancelDuringWriteTest {
    private static final int SIZE = 8 * 1024 * 1024;
    private static final byte[] NEW = Versions.content(2, SIZE - 100, 3);
    private static final byte[] OLD = Versions.content(1, 1000, 3);
    private static final long SEED = Long.getLong("cancelkit.seed", System.nanoTime());

    @TempDir
    Path dir;

    enum How { CANCEL, SOFT_CANCEL, CANCEL_FROM_ANOTHER_THREAD, INTERRUPT, INTERRUPT_FROM_ANOTHER_THREAD }

    enum When { DURING_WRITE, AT_FILE_SYNC, BEFORE_RENAME, AFTER_RENAME, AT_DIRECTORY_SYNC }

    @Test
    void cancelDuringAnEightMegabyteWrite_thousandTimes_F1_F3_C4() throws Exception {
        run(1_000);
    }

    @Test
    @Tag("stress")
    void cancelDuringAnEightMegabyteWrite_stress() throws Exception {
        run(10_000);
    }

    private void run(int trials) throws Exception {
        Random rnd = new Random(SEED);
        Map<How, int[]> outcomes = new EnumMap<>(How.class); // [old, new]
        Path target = dir.resolve("big.bin");
        for (int t = 0; t < trials; t++) {
            How how = How.values()[rnd.nextInt(How.values().length)];
            When when = rnd.nextInt(4) != 0 ? When.DURING_WRITE : When.values()[1 + rnd.nextInt(4)];
            long offset = rnd.nextInt(SIZE - 100);
            boolean virtual = rnd.nextBoolean();
            Files.write(target, OLD);
            String where = "trial " + t + " (seed " + SEED + "): " + how + " " + when + (when == When.DURING_WRITE
                    ? " at byte " + offset : "") + (virtual ? " on a virtual thread" : "");
            boolean replaced = trial(target, how, when, offset, virtual, where);
            outcomes.computeIfAbsent(how, h -> new int[2])[replaced ? 1 : 0]++;
        }
        StringBuilder b = new StringBuilder();
        outcomes.forEach((h, n) -> b.append(h).append(": ").append(n[0]).append(" old, ").append(n[1]).append(" new; "));
        System.out.println("[cancel during 8 MiB write] " + trials + " trials, seed " + SEED + ": " + b);
    }

    /** Returns whether the target was replaced. */
    private boolean trial(Path target, How how, When when, long offset, boolean virtual, String where)
            throws Exception {
        AtomicReference<Object> result = new AtomicReference<>();
        Runnable body = () -> {
            CancellationSource token = CancellationSource.create();
            Thread writer = Thread.currentThread();
            java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable action = switch (how) {
                case CANCEL -> () -> token.cancel("cancelled at " + when);
                case SOFT_CANCEL -> () -> token.cancel(CancelReason.requested("soft"), Duration.ofHours(1));
                case CANCEL_FROM_ANOTHER_THREAD -> () -> Handshake.onAnotherThread(() -> token.cancel("from afar"));
                case INTERRUPT -> writer::interrupt;
                case INTERRUPT_FROM_ANOTHER_THREAD -> () -> Handshake.onAnotherThread(writer::interrupt);
            };
            Runnable fire = () -> {
                if (fired.compareAndSet(false, true)) {
                    action.run(); // once: a retried step must not be hit again
                }
            };
            FaultyFs fs = new FaultyFs();
            switch (when) {
                case DURING_WRITE -> fs.atByte(offset, fire);
                case AT_FILE_SYNC -> fs.hook((i, op, p) -> once(op.equals("sync"), fire));
                case AT_DIRECTORY_SYNC -> fs.hook((i, op, p) -> once(op.equals("syncDirectory"), fire));
                default -> { }
            }
            CommitStep step = when == When.BEFORE_RENAME ? CommitStep.TEMP_WRITTEN : CommitStep.TARGET_REPLACED;
            FileOptions options = FileOptions.defaults().withStepListener(s -> once(
                    (when == When.BEFORE_RENAME || when == When.AFTER_RENAME) && s == step, fire));
            Object outcome;
            try {
                token.run(() -> {
                    try (AtomicFileWriter w = AtomicFileWriter.open(target, options, fs)) {
                        w.write(NEW);
                        w.commit();
                    }
                });
                outcome = "committed";
            } catch (Throwable e) {
                outcome = e;
            } finally {
                token.close();
            }
            boolean interrupted = Thread.interrupted();
            result.set(new Object[] {outcome, interrupted});
        };
        if (virtual) {
            Handshake.join(Thread.ofVirtual().start(body));
        } else {
            body.run();
        }
        Object[] r = (Object[]) result.get();
        Object outcome = r[0];
        boolean interrupted = (boolean) r[1];
        boolean late = when == When.AFTER_RENAME || when == When.AT_DIRECTORY_SYNC;
        boolean byInterrupt = how == How.INTERRUPT || how == How.INTERRUPT_FROM_ANOTHER_THREAD;
        byte[] found = Files.readAllBytes(target);
        if (late) {
            assertThat(outcome).as(where + ": cancelled after the rename reports success").isEqualTo("committed");
            assertThat(found).as(where).isEqualTo(NEW);
        } else {
            assertThat(outcome).as(where).isInstanceOf(Throwable.class);
            assertThat(found).as(where + ": target untouched").isEqualTo(OLD);
            if (byInterrupt) {
                assertThat(outcome).as(where).isInstanceOfAny(ClosedByInterruptException.class,
                        InterruptedIOException.class);
            } else {
                assertThat(outcome).as(where).isInstanceOf(CancelledException.class);
            }
        }
        assertThat(interrupted).as(where + ": interrupt status preserved").isEqualTo(byInterrupt);
        assertThat(TestFiles.leftovers(dir)).as(where + ": temporary file removed").isEmpty();
        return late;
    }

    private static void once(boolean condition, Runnable fire) {
        if (condition) {
            fire.run();
        }
    }

    /** Ordered steps across threads, without sleeping. */
    static final class Handshake {
        private Handshake() {}

        /** Runs {@code action} on another thread and returns once it has returned. */
        static void onAnotherThread(Runnable action) {
            join(Thread.ofVirtual().start(action));
        }

        /** Joins, through interrupts; the interrupt status is kept. */
        static void join(Thread t) {
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // restored below: the test checks the status afterwards
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void negativeControl_theCheckSeesATornTarget() throws IOException {
        // a non-atomic write interrupted half-way, as a writer without a temporary file would leave it
        Path target = dir.resolve("torn.bin");
        Files.write(target, java.util.Arrays.copyOf(NEW, SIZE / 2));
        assertThat(Files.readAllBytes(target)).isNotEqualTo(OLD).isNotEqualTo(NEW);
        assertThat(Versions.parse(Files.readAllBytes(target))).isNull();
    }
}
