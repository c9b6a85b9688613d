package org.cancelkit.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.cancelkit.lifecycle.Application;
import org.cancelkit.lifecycle.ShutdownReport;
import org.cancelkit.lifecycle.Worker;
import org.cancelkit.lifecycle.WorkerGroup;
import org.cancelkit.lifecycle.WorkerOutcome;

/** The lifecycle module, live: a tree of workers shut down gracefully. */
final class LifecycleScenarios {
    private LifecycleScenarios() {}

    static List<Scenario> all() {
        return List.of(new GracefulShutdown());
    }

    /** Four workers, one in a nested group, one that ignores the soft cancel; shutdown on request. */
    static final class GracefulShutdown implements Scenario {
        @Override
        public String name() {
            return "shutdown";
        }

        @Override
        public String title() {
            return "Graceful shutdown of a worker tree: reverse order, grace, hard cancel, budget, report";
        }

        @Override
        public String invariants() {
            return "L1";
        }

        @Override
        public void run(Report r) throws Exception {
            List<String> sawCancel = new CopyOnWriteArrayList<>();
            CountDownLatch started = new CountDownLatch(4);
            Duration budget = Duration.ofSeconds(3);
            Duration httpGrace = Duration.ofMillis(200);
            Application app = Application.builder("shop")
                    .add(Worker.of("database", Duration.ofMillis(500), token -> {
                        started.countDown();
                        token.awaitCancellation();
                        sawCancel.add("database");
                        Thread.sleep(100); // closing connections: within its grace, so never interrupted
                    }))
                    .add(WorkerGroup.of("ingest",
                            Worker.of("reader", Duration.ofMillis(300), token -> {
                                started.countDown();
                                token.awaitCancellation();
                                sawCancel.add("ingest/reader");
                            }),
                            Worker.of("parser", Duration.ofMillis(300), token -> {
                                started.countDown();
                                token.awaitCancellation();
                                sawCancel.add("ingest/parser");
                                Thread.sleep(50); // finishing the current batch
                            })))
                    .add(Worker.of("http", httpGrace, token -> {
                        started.countDown();
                        while (true) {
                            Thread.sleep(10_000); // ignores the soft cancel: only the interrupt stops it
                            if (token.isCancelled()) {
                                sawCancel.add("http"); // never reached: it does not look
                            }
                        }
                    }))
                    .budget(budget)
                    .build().start();
            started.await();
            r.say("started in order: database, ingest/reader, ingest/parser, http; now app.shutdown(\"deploy\")");
            long t0 = System.nanoTime();
            app.shutdown("deploy");
            ShutdownReport report = app.awaitTermination();
            r.say("shutdown returned after " + Report.since(t0));
            report.format().lines().forEach(line -> r.say("  " + line));

            List<String> order = List.of("http", "ingest/parser", "ingest/reader", "database");
            r.check("stopped in reverse start order, the group's members before the next sibling",
                    report.stopOrder().equals(order));
            r.check("each polite worker saw its cancel only after the ones after it had stopped",
                    sawCancel.equals(order.subList(1, 4)));
            r.check("database, ingest/parser and ingest/reader stopped within their grace (never interrupted)",
                    order.subList(1, 4).stream().allMatch(p -> report.worker(p).outcome() == WorkerOutcome.STOPPED_IN_GRACE));
            r.check("http ignored the soft cancel and was cancelled hard after its " + Report.ms(httpGrace) + " grace",
                    report.worker("http").outcome() == WorkerOutcome.STOPPED_AFTER_HARD_CANCEL
                            && report.worker("http").stopTime().compareTo(httpGrace) >= 0);
            r.check("the whole shutdown took " + Report.ms(report.took()) + ", within its " + Report.ms(budget) + " budget",
                    report.withinBudget());
            r.check("exit code " + report.exitCode() + ": forced, since one worker needed the hard cancel",
                    report.exitCode() == ShutdownReport.EXIT_FORCED);
        }
    }
}
