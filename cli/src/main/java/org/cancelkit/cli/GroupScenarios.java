package org.cancelkit.cli;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.cancelkit.Bulkhead;
import org.cancelkit.Cancellation;
import org.cancelkit.CompletionPolicy;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.TaskFailedException;
import org.cancelkit.TaskGroup;
import org.cancelkit.TaskReport;
import org.cancelkit.TaskOutcome;
import org.cancelkit.TaskResult;
import org.cancelkit.Timeout;

/** Task groups, race and bulkhead, live. */
final class GroupScenarios {
    private GroupScenarios() {}

    static List<Scenario> all() {
        return List.of(new FailFastGroup(), new Race(), new BulkheadUnderLoad());
    }

    /** Three named tasks; one fails; the others are cancelled or finish. */
    static final class FailFastGroup implements Scenario {
        @Override
        public String name() {
            return "group";
        }

        @Override
        public String title() {
            return "A task group of three where one fails: who completed, failed and was cancelled";
        }

        @Override
        public String invariants() {
            return "C1 C2";
        }

        @Override
        public void run(Report r) throws Exception {
            AtomicInteger stillRunning = new AtomicInteger();
            TaskReport report = null;
            String joinOutcome = "returned";
            long start = System.nanoTime();
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.failFast())) {
                group.fork("cache-warmup", () -> {
                    Thread.sleep(50);
                    return "warm";
                });
                group.fork("fetch-prices", () -> {
                    Thread.sleep(150);
                    throw new IllegalStateException("price service returned 503");
                });
                group.fork("build-index", () -> {
                    stillRunning.incrementAndGet();
                    try {
                        Thread.sleep(10_000);
                    } finally {
                        stillRunning.decrementAndGet();
                    }
                    return "index";
                });
                try {
                    group.join();
                } catch (TaskFailedException e) {
                    joinOutcome = "threw TaskFailedException from '" + e.taskName() + "'";
                }
                report = group.close(Duration.ofSeconds(1));
            }
            r.say("fail-fast group, join " + joinOutcome + " after " + Report.since(start));
            for (TaskResult t : report.tasks()) {
                r.say("  " + t);
            }
            r.check("cache-warmup completed", report.get("cache-warmup").orElseThrow().outcome() == TaskOutcome.COMPLETED);
            r.check("fetch-prices failed", report.failed().equals(List.of("fetch-prices")));
            r.check("build-index was cancelled while running", report.get("build-index").orElseThrow().outcome()
                    == TaskOutcome.CANCELLED_WHILE_RUNNING);
            r.check("join threw the failure", joinOutcome.contains("fetch-prices"));
            r.check("no task was still running when the group closed (C1)", stillRunning.get() == 0);
        }
    }

    /** A race: the first to finish wins, the others have ended when race returns. */
    static final class Race implements Scenario {
        @Override
        public String name() {
            return "race";
        }

        @Override
        public String title() {
            return "A race: the first to finish wins, the losers are cancelled and have ended";
        }

        @Override
        public String invariants() {
            return "C1";
        }

        @Override
        public void run(Report r) throws Exception {
            AtomicInteger losersRunning = new AtomicInteger();
            long start = System.nanoTime();
            String winner = TaskGroup.race(
                    () -> replica("replica-eu", 300, losersRunning),
                    () -> replica("replica-us", 80, losersRunning),
                    () -> replica("replica-ap", 5_000, losersRunning));
            int runningAtReturn = losersRunning.get();
            r.say("race of three replicas (300 ms, 80 ms, 5 s): " + winner + " won after " + Report.since(start));
            r.check("the fastest replica won", winner.equals("replica-us"));
            r.check("the losers had ended when race returned (" + runningAtReturn + " running)", runningAtReturn == 0);
        }

        private static String replica(String name, long ms, AtomicInteger running) throws InterruptedException {
            running.incrementAndGet();
            try {
                Thread.sleep(ms);
                return name;
            } finally {
                running.decrementAndGet();
            }
        }
    }

    /** 100 callers through a bulkhead of 10, a third of them cancelled at random moments. */
    static final class BulkheadUnderLoad implements Scenario {
        @Override
        public String name() {
            return "bulkhead";
        }

        @Override
        public String title() {
            return "A bulkhead under load: every permit comes back after random cancels";
        }

        @Override
        public String invariants() {
            return "H2";
        }

        @Override
        public void run(Report r) throws Exception {
            Bulkhead bulkhead = Bulkhead.of("tour", 10);
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger maxInside = new AtomicInteger();
            long seed = System.nanoTime();
            Random random = new Random(seed);
            long start = System.nanoTime();
            TaskReport report;
            try (TaskGroup group = TaskGroup.open(CompletionPolicy.supervise())) {
                for (int i = 0; i < 100; i++) {
                    long work = 5 + random.nextInt(30);
                    long budget = random.nextInt(3) == 0 ? random.nextInt(60) : 10_000;
                    group.fork("caller-" + i, () -> Timeout.call(Duration.ofMillis(budget), () -> bulkhead.call(() -> {
                        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        try {
                            Cancellation.sleep(Duration.ofMillis(work));
                        } finally {
                            inside.decrementAndGet();
                        }
                        return work;
                    })));
                }
                report = group.join();
            }
            long timedOut = report.tasks().stream()
                    .filter(t -> t.failure() instanceof DeadlineExceededException).count();
            Bulkhead.Statistics stats = bulkhead.statistics();
            r.say("100 callers, limit 10, about a third with short deadlines (seed " + seed + "): "
                    + report.completed().size() + " completed, " + timedOut + " gave up on their deadline, in "
                    + Report.since(start));
            r.say("statistics: " + stats);
            r.check("never more than 10 inside (max " + maxInside.get() + ")", maxInside.get() <= 10);
            r.check("every caller completed or gave up", report.completed().size() + timedOut == 100);
            r.check("every permit came back (in use " + stats.inUse() + ", waiting " + stats.waiting() + ")",
                    stats.inUse() == 0 && stats.waiting() == 0);
        }
    }
}
