package org.cancelkit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.jobs.Fixtures.Tally;
import org.cancelkit.jobs.internal.OutputSync;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * J1: a job cancelled at any item boundary, or inside any item, resumes from its checkpoint and the
 * output holds every item exactly once.
 */
class ResumeTest {
    private static final int N = 40;

    @TempDir
    Path dir;

    @Test
    @DisplayName("J1: an uninterrupted run writes every item once; a second run finds it complete and does nothing")
    void uninterruptedRun() throws Exception {
        Job<Integer, Tally> job = Fixtures.job(dir, N, Fixtures.writeLine())
                .withOptions(JobOptions.defaults().withCheckpointEveryItems(7));
        JobResult<Tally> r = job.run();
        assertThat(r.state()).isEqualTo(new Tally(N, (long) N * (N - 1) / 2));
        assertThat(r.processedThisRun()).isEqualTo(N);
        assertThat(r.checkpointsWritten()).isEqualTo(6); // at 7, 14, 21, 28, 35 and the end
        Fixtures.assertExactlyOnce(job.outputFile(), N, "first run");
        Checkpoint<Tally> cp = job.checkpoint().orElseThrow();
        assertThat(cp.isComplete()).isTrue();
        assertThat(cp.outputLength()).isEqualTo(Files.size(job.outputFile()));

        JobResult<Tally> again = job.run();
        assertThat(again.processedThisRun()).isZero();
        assertThat(again.resumedFrom()).isEqualTo(N);
        assertThat(again.state()).isEqualTo(r.state());
        Fixtures.assertExactlyOnce(job.outputFile(), N, "second run");
    }

    /**
     * A kill between the first checkpoint (0 bytes counted) and the output's creation leaves no output
     * file: that is consistent, and the next run must go on. Negative control: CheckpointTest's
     * outputAndCheckpointDisagree, where the checkpoint counts bytes that are missing, is still refused.
     */
    @Test
    @DisplayName("J1/J2: a checkpoint that counts 0 bytes with no output file yet (killed before it was created) resumes")
    void zeroByteCheckpointWithoutOutput() throws Exception {
        Job<Integer, Tally> job = Fixtures.job(dir, N, Fixtures.writeLine());
        job.reset(); // writes the first, 0-byte checkpoint
        Files.deleteIfExists(job.outputFile());
        assertThat(job.checkpoint().orElseThrow().outputLength()).isZero();
        JobResult<Tally> r = job.run();
        assertThat(r.processedThisRun()).isEqualTo(N);
        Fixtures.assertExactlyOnce(job.outputFile(), N, "after a 0-byte checkpoint without output");
    }

    /**
     * Linux reports a failed fsync once and may drop the unsynced pages: a retry then "succeeds" without
     * them. After a failed sync no checkpoint of that run may count the output; the previous one stands.
     * Without the guard, the stop path's checkpoint retried the sync, which here succeeds, and counted 14
     * or more items whose output the disk may not hold.
     */
    @Test
    @DisplayName("J1/J2: after a failed sync of the output, the run stops without a checkpoint counting that output")
    void failedSyncIsNotRetried() throws Exception {
        Job<Integer, Tally> job = Fixtures.job(dir, N, Fixtures.writeLine())
                .withOptions(JobOptions.defaults().withCheckpointEveryItems(7));
        OutputSync.Sync real = OutputSync.current;
        int[] calls = {0};
        OutputSync.current = channel -> {
            if (++calls[0] == 2) {
                throw new java.io.IOException("injected: fsync failed (EIO)");
            }
            real.force(channel); // later syncs "succeed", as after a lost writeback
        };
        try {
            assertThatThrownBy(job::run).isInstanceOf(java.io.IOException.class).hasMessageContaining("injected");
        } finally {
            OutputSync.current = real;
        }
        assertThat(job.checkpoint().orElseThrow().nextItem()).as("the checkpoint before the failed sync stands")
                .isEqualTo(7);
        job.run();
        Fixtures.assertExactlyOnce(job.outputFile(), N, "resumed after a failed sync");
    }

    @Test
    @DisplayName("J1: an interval too long for nanoseconds (checkpoint by count only) runs to the end")
    void hugeCheckpointInterval() throws Exception {
        Job<Integer, Tally> job = Fixtures.job(dir, N, Fixtures.writeLine())
                .withOptions(JobOptions.defaults().withCheckpointEveryItems(7)
                        .withCheckpointEvery(Duration.ofSeconds(Long.MAX_VALUE)));
        JobResult<Tally> r = job.run();
        assertThat(r.processedThisRun()).isEqualTo(N);
        assertThat(r.checkpointsWritten()).isEqualTo(6); // by count: at 7, 14, 21, 28, 35 and the end
        Fixtures.assertExactlyOnce(job.outputFile(), N, "huge interval");
    }

    @Test
    @DisplayName("J1: cancelled at every item boundary (after item k-1, before item k), resumed: each item once")
    void cancelAtEveryBoundary() throws Exception {
        for (int k = 0; k <= N; k++) {
            Fixtures.clear(dir);
            int cancelBefore = k;
            CancellationSource token = CancellationSource.create();
            ItemProcessor<Integer, Tally> body = (index, item, tally, out) -> {
                out.print(Fixtures.line(index, item));
                if (index == cancelBefore - 1) {
                    token.cancel(); // the job's check before the next item throws
                }
                return tally.add(item);
            };
            Job<Integer, Tally> job = Fixtures.job(dir, N, body)
                    .withOptions(JobOptions.defaults().withCheckpointEveryItems(5));
            if (k == 0) {
                token.cancel(); // before the first item
            }
            if (k == N) {
                // cancelled after the last item: the cancel lands in the final checkpoint (its interrupt
                // closes the output channel), which the stop path saves shielded before reporting it
                try {
                    token.call(job::run);
                } catch (CancelledException expected) {
                    // either outcome is right; the checkpoint decides
                }
                assertThat(job.checkpoint().orElseThrow().isComplete()).as("k=N: the job is complete").isTrue();
            } else {
                assertThatThrownBy(() -> token.call(job::run)).as("k=" + k).isInstanceOf(CancelledException.class);
                // cancelled before anything (k = 0), the run may stop before its first checkpoint
                assertThat(job.checkpoint().map(Checkpoint::nextItem).orElse(0L)).as("k=" + k + ": the stop checkpoint")
                        .isEqualTo(k);
            }
            JobResult<Tally> resumed = Fixtures.job(dir, N, Fixtures.writeLine()).run();
            assertThat(resumed.resumedFrom()).as("k=" + k).isEqualTo(k);
            assertThat(resumed.state()).as("k=" + k).isEqualTo(new Tally(N, (long) N * (N - 1) / 2));
            Fixtures.assertExactlyOnce(job.outputFile(), N, "cancelled before item " + k);
        }
    }

    @Test
    @DisplayName("J1: cancelled inside every item, after part of its output: that item is redone, its output once")
    void cancelInsideEveryItem() throws Exception {
        for (int k = 0; k < N; k++) {
            Fixtures.clear(dir);
            int inside = k;
            CancellationSource token = CancellationSource.create();
            ItemProcessor<Integer, Tally> body = (index, item, tally, out) -> {
                String line = Fixtures.line(index, item);
                out.print(line.substring(0, line.length() / 2));
                if (index == inside) {
                    token.cancel();
                }
                Cancellation.check(); // half the line written: a cancel here must drop it
                out.print(line.substring(line.length() / 2));
                return tally.add(item);
            };
            Job<Integer, Tally> job = Fixtures.job(dir, N, body)
                    .withOptions(JobOptions.defaults().withCheckpointEveryItems(6));
            assertThatThrownBy(() -> token.call(job::run)).as("k=" + k).isInstanceOf(CancelledException.class);
            assertThat(job.checkpoint().orElseThrow().nextItem()).as("k=" + k).isEqualTo(k);
            assertThat(Files.size(job.outputFile())).as("k=" + k + ": no half line on disk")
                    .isEqualTo(Fixtures.reference(k).length());
            Fixtures.job(dir, N, Fixtures.writeLine()).run();
            Fixtures.assertExactlyOnce(job.outputFile(), N, "cancelled inside item " + k);
        }
    }

    @Test
    @DisplayName("J1: a timeout stops the job half-way (DeadlineExceededException), the rerun finishes it")
    void timeoutThenResume() throws Exception {
        VirtualClock clock = VirtualClock.create();
        List<Progress> events = new ArrayList<>();
        ItemProcessor<Integer, Tally> paced = (index, item, tally, out) -> {
            Cancellation.sleep(Duration.ofMillis(10)); // an expensive operation per item
            out.print(Fixtures.line(index, item));
            return tally.add(item);
        };
        Job<Integer, Tally> job = Fixtures.job(dir, 200, paced).withOptions(JobOptions.defaults()
                .withCheckpointEveryItems(25).withListener(events::add));
        clock.autoAdvance();
        clock.run(() -> assertThatThrownBy(() -> Timeout.call(Duration.ofMillis(1005), job::run))
                .isInstanceOf(DeadlineExceededException.class));
        Checkpoint<Tally> cp = job.checkpoint().orElseThrow();
        assertThat(cp.nextItem()).as("100 items of 10 ms fit in 1005 ms").isEqualTo(100);
        assertThat(events.getLast().event()).isEqualTo(Progress.Event.STOPPED);
        JobResult<Tally> r = clock.call(job::run);
        assertThat(r.resumedFrom()).isEqualTo(100);
        Fixtures.assertExactlyOnce(job.outputFile(), 200, "after the timeout and the rerun");
    }

    @Test
    @DisplayName("J1: an item that fails stops the job with ItemFailedException; the items before it stay checkpointed")
    void failingItem() throws Exception {
        ItemProcessor<Integer, Tally> failsAt13 = (index, item, tally, out) -> {
            out.print(Fixtures.line(index, item));
            if (index == 13) {
                throw new IllegalStateException("bad item");
            }
            return tally.add(item);
        };
        Job<Integer, Tally> job = Fixtures.job(dir, N, failsAt13);
        assertThatThrownBy(job::run).isInstanceOfSatisfying(ItemFailedException.class, e -> {
            assertThat(e.index()).isEqualTo(13);
            assertThat(e.getCause()).hasMessage("bad item");
            assertThat(e.getMessage()).contains("item 13", "resume at item 13");
        });
        assertThat(job.checkpoint().orElseThrow().nextItem()).isEqualTo(13);
        Fixtures.job(dir, N, Fixtures.writeLine()).run();
        Fixtures.assertExactlyOnce(job.outputFile(), N, "after the failed item was fixed");
    }

    /**
     * A processor that runs its own timeout or token (a request with a deadline) and lets its
     * cancellation escape: the job was not cancelled, the item failed. Reporting it as the job's
     * cancellation would make the caller believe someone stopped the job.
     */
    @Test
    @DisplayName("J1: a CancelledException of another token escaping an item is that item's failure, not the job's cancellation")
    void foreignCancellationIsAnItemFailure() throws Exception {
        ItemProcessor<Integer, Tally> failsAt5 = (index, item, tally, out) -> {
            if (index == 5) {
                CancellationSource own = CancellationSource.create();
                own.cancel("the item's own request gave up");
                own.throwIfCancelled();
            }
            out.print(Fixtures.line(index, item));
            return tally.add(item);
        };
        Job<Integer, Tally> job = Fixtures.job(dir, N, failsAt5);
        assertThatThrownBy(job::run).isInstanceOfSatisfying(ItemFailedException.class, e -> {
            assertThat(e.index()).isEqualTo(5);
            assertThat(e.getCause()).isInstanceOf(CancelledException.class);
        });
        assertThat(job.checkpoint().orElseThrow().nextItem()).isEqualTo(5);
    }

    @Test
    @DisplayName("J1: an item's output is closed once the item has ended")
    void outputClosedAfterItem() throws Exception {
        List<ItemOutput> kept = new ArrayList<>();
        Fixtures.job(dir, 2, (index, item, tally, out) -> {
            kept.add(out);
            return tally.add(item);
        }).run();
        assertThatThrownBy(() -> kept.getFirst().print("late")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("item 0");
    }
    @Test
    @DisplayName("J1: a hard cancel whose interrupt closes the output channel mid-checkpoint is survived: saved, resumed once")
    void interruptClosesTheOutputChannel() throws Exception {
        CancellationSource token = CancellationSource.create();
        ItemProcessor<Integer, Tally> body = (index, item, tally, out) -> {
            out.print(Fixtures.line(index, item));
            if (index == 4) {
                token.cancel(); // interrupts this thread; the checkpoint after item 4 writes the output next
            }
            return tally.add(item);
        };
        Job<Integer, Tally> job = Fixtures.job(dir, N, body).withOptions(JobOptions.defaults().withCheckpointEveryItems(5));
        assertThatThrownBy(() -> token.call(job::run)).isInstanceOfSatisfying(CancelledException.class, e ->
                assertThat(e.getSuppressed()).as("the write that the interrupt cut")
                        .anySatisfy(s -> assertThat(s).isInstanceOf(java.nio.channels.ClosedByInterruptException.class)));
        assertThat(job.checkpoint().orElseThrow().nextItem()).as("saved after reopening the output").isEqualTo(5);
        assertThat(Thread.currentThread().isInterrupted()).as("no interrupt left behind (C4)").isFalse();
        Fixtures.job(dir, N, Fixtures.writeLine()).run();
        Fixtures.assertExactlyOnce(job.outputFile(), N, "after the interrupted checkpoint");
    }

    @Test
    @DisplayName("J1: a second run of a running job fails at once, and changes nothing; the first one finishes")
    void oneRunAtATime() throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Job<Integer, Tally> job = Fixtures.job(dir, N, (index, item, tally, out) -> {
            if (index == 10) {
                inside.countDown();
                release.await();
            }
            out.print(Fixtures.line(index, item));
            return tally.add(item);
        }).withOptions(JobOptions.defaults().withCheckpointEveryItems(5));
        java.util.concurrent.atomic.AtomicReference<Throwable> first = new java.util.concurrent.atomic.AtomicReference<>();
        Thread runner = Thread.ofVirtual().start(() -> {
            try {
                job.run();
            } catch (Throwable t) {
                first.set(t);
            }
        });
        inside.await();
        byte[] cp = Files.readAllBytes(job.checkpointFile());
        byte[] out = Files.readAllBytes(job.outputFile());
        Job<Integer, Tally> second = Fixtures.job(dir, N, Fixtures.writeLine());
        assertThatThrownBy(second::run).isInstanceOf(java.io.IOException.class).hasMessageContaining("already running")
                .hasMessageContaining("test-job.run.lock");
        assertThatThrownBy(second::reset).hasMessageContaining("already running");
        assertThat(Files.readAllBytes(job.checkpointFile())).isEqualTo(cp);
        assertThat(Files.readAllBytes(job.outputFile())).isEqualTo(out);
        release.countDown();
        runner.join();
        assertThat(first.get()).isNull();
        Fixtures.assertExactlyOnce(job.outputFile(), N, "the first run");
    }
    @Test
    @DisplayName("J1 C8: a soft cancel (shutdown with a grace) lets the item in flight finish, then stops at the boundary, with no interrupt")
    void softCancelFinishesTheItemInFlight() throws Exception {
        CancellationSource token = CancellationSource.create();
        ItemProcessor<Integer, Tally> body = (index, item, tally, out) -> {
            if (index == 12) {
                token.cancel(org.cancelkit.CancelReason.shutdown("draining"), Duration.ofHours(1));
                assertThat(Thread.currentThread().isInterrupted()).as("no interrupt within the grace").isFalse();
            }
            out.print(Fixtures.line(index, item)); // the item in flight completes its output
            return tally.add(item);
        };
        Job<Integer, Tally> job = Fixtures.job(dir, N, body).withOptions(JobOptions.defaults().withCheckpointEveryItems(5));
        assertThatThrownBy(() -> token.call(job::run)).isInstanceOfSatisfying(CancelledException.class, e -> {
            assertThat(e.reason().message()).isEqualTo("draining");
            assertThat(e.getSuppressed()).as("nothing was cut by an interrupt").isEmpty();
        });
        assertThat(job.checkpoint().orElseThrow().nextItem()).as("item 12 finished, then the job stopped").isEqualTo(13);
        Fixtures.job(dir, N, Fixtures.writeLine()).run();
        Fixtures.assertExactlyOnce(job.outputFile(), N, "after the soft cancel");
    }
}
