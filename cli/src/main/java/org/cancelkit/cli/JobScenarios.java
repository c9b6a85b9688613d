package org.cancelkit.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.cancelkit.Cancellation;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.cancelkit.jobs.Checkpoint;
import org.cancelkit.jobs.CheckpointException;
import org.cancelkit.jobs.Job;
import org.cancelkit.jobs.JobOptions;
import org.cancelkit.jobs.JobResult;
import org.cancelkit.jobs.Progress;
import org.cancelkit.jobs.ProgressBar;
import org.cancelkit.jobs.ProgressListener;

/** The jobs module's scenario: a resumable computation, cancelled by a timeout and resumed. */
final class JobScenarios {
    private JobScenarios() {}

    static List<Scenario> all() {
        return List.of(new ResumableJob());
    }

    /**
     * A job run under a timeout and resumed: 200 items of 5 ms each (an expensive operation:
     * item × 2), a checkpoint every 25 items, a 400 ms timeout; then a second
     * run resumes from the checkpoint. A reader thread parses the checkpoint file over and over during
     * both runs: it must never see a partial one.
     */
    static final class ResumableJob implements Scenario {
        private static final int ITEMS = 200;

        @Override
        public String name() {
            return "job-resume";
        }

        @Override
        public String title() {
            return "Resumable job: cancelled half-way by a timeout, resumed, output exactly once";
        }

        @Override
        public String invariants() {
            return "J1 J2 J3";
        }

        @Override
        public void run(Report r) throws Exception {
            Path dir = Files.createTempDirectory("cancelkit-tour-job");
            try {
                List<Long> items = java.util.stream.LongStream.range(0, ITEMS).boxed().toList();
                ProgressListener bar = p -> {
                    if (p.event() != Progress.Event.ITEM_DONE && p.event() != Progress.Event.CHECKPOINT
                            || p.event() == Progress.Event.ITEM_DONE && p.done() % 40 == 0) {
                        r.say(String.format("  %-10s %s", p.event(), ProgressBar.line(p, 30)));
                    }
                };
                Job<Long, Long> job = Job.create("doubling", dir, items, Long.class, 0L,
                        (index, item, sum, out) -> {
                            Cancellation.sleep(Duration.ofMillis(5)); // an expensive operation
                            out.println(index + " -> " + item * 2);
                            return sum + item * 2;
                        }).withOptions(JobOptions.defaults().withCheckpointEveryItems(25).withListener(bar));

                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger reads = new AtomicInteger();
                AtomicReference<String> partial = new AtomicReference<>();
                Thread reader = Thread.ofVirtual().name("checkpoint-reader").start(() -> {
                    while (!stop.get()) {
                        try {
                            if (job.checkpoint().isPresent()) {
                                reads.incrementAndGet();
                            }
                        } catch (CheckpointException e) {
                            partial.compareAndSet(null, e.getMessage());
                        } catch (java.io.IOException e) {
                            // a read racing a rename can fail to open; that is not a partial checkpoint
                        }
                        LockSupport.parkNanos(200_000); // a reader polling, not hogging a core
                    }
                });

                long t0 = System.nanoTime();
                job.reset(); // a fresh start, explicitly; also loads the JSON and file code before the clock runs
                r.say("job.reset(): a fresh checkpoint at item 0, in " + Report.since(t0));
                r.say("run 1: Timeout.call(500 ms, job::run), " + ITEMS + " items of 5 ms, checkpoint every 25:");
                String outcome;
                try {
                    Timeout.call(Duration.ofMillis(500), job::run);
                    outcome = "completed";
                } catch (DeadlineExceededException e) {
                    outcome = "DeadlineExceededException";
                }
                Checkpoint<Long> cp = job.checkpoint().orElse(null);
                if (cp == null) {
                    r.check("run 1 wrote a checkpoint before its timeout (" + outcome + ")", false);
                    return;
                }
                long size = Files.size(job.outputFile());
                r.say("run 1 ended with " + outcome + "; the checkpoint " + job.checkpointFile().getFileName() + ":");
                for (String line : Files.readString(job.checkpointFile()).split("\n")) {
                    r.say("  " + line);
                }
                r.say("output: " + size + " bytes, " + lines(job.outputFile()).size() + " lines");
                r.check("run 1 was stopped by its timeout (DeadlineExceededException)",
                        outcome.equals("DeadlineExceededException"));
                r.check("it stopped half-way: 0 < nextItem (" + cp.nextItem() + ") < " + ITEMS,
                        cp.nextItem() > 0 && cp.nextItem() < ITEMS);
                r.check("the stop checkpoint counts exactly the output on disk", cp.outputLength() == size);

                r.say("run 2: job.run() resumes:");
                JobResult<Long> result = job.run();
                stop.set(true);
                reader.join();

                List<String> out = lines(job.outputFile());
                boolean exactlyOnce = out.size() == ITEMS;
                for (int i = 0; exactlyOnce && i < ITEMS; i++) {
                    exactlyOnce = out.get(i).equals(i + " -> " + (2L * i));
                }
                long expected = (long) ITEMS * (ITEMS - 1);
                r.say("run 2 resumed at item " + result.resumedFrom() + ", processed " + result.processedThisRun()
                        + "; output " + out.size() + " lines; state (sum) " + result.state());
                r.say("a reader parsed the checkpoint " + reads.get() + " times during both runs");
                r.check("J1: run 2 resumed from the checkpoint (item " + cp.nextItem() + ")",
                        result.resumedFrom() == cp.nextItem());
                r.check("J1: the output holds every item exactly once, in order", exactlyOnce);
                r.check("J1: the state is the sum of all items x 2 (" + expected + ")", result.state() == expected);
                r.check("J2: the checkpoint file was never partial (" + reads.get() + " reads)",
                        partial.get() == null && reads.get() > 0);
            } finally {
                FileScenarios.deleteTree(dir);
            }
        }

        private static List<String> lines(Path file) throws java.io.IOException {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        }
    }
}
