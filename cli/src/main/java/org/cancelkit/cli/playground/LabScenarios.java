package org.cancelkit.cli.playground;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.cancelkit.io.CommitStep;
import org.cancelkit.io.FileOptions;
import org.cancelkit.io.FileTransaction;
import org.cancelkit.lifecycle.Application;
import org.cancelkit.lifecycle.ShutdownReport;
import org.cancelkit.lifecycle.Worker;
import org.cancelkit.lifecycle.WorkerOutcome;

/** The playground's scenarios: the tour's timeout, graceful shutdown and file transaction, with parameters. */
final class LabScenarios {
    private LabScenarios() {}

    static List<Lab> all() {
        return List.of(new TimeoutLab(), new ShutdownLab(), new FileCommitLab());
    }

    static String state(CancellationToken t) {
        return t.isCancelledHard() ? "cancelled (hard)" : t.isCancelled() ? "cancelled (soft)" : "active";
    }

    static String reason(CancellationToken t) {
        return t.reason().map(r -> r.kind() + ": " + r.message()).orElse("");
    }

    /** A timeout around slow work: the deadline fires, the work is interrupted, the call returns after it ended. */
    static final class TimeoutLab implements Lab {
        @Override
        public String name() {
            return "timeout";
        }

        @Override
        public String title() {
            return "Timeout.call around work that may take longer: deadline, interrupt, return after the body ended";
        }

        @Override
        public List<Param> params() {
            return List.of(new Param("timeoutMs", "timeout", 10, 5000, 300, "ms"),
                    new Param("workMs", "the work takes", 0, 10000, 1000, "ms"),
                    new Param("shielded", "work shielded from the cancel (1 = yes: the interrupt is suppressed)", 0, 1, 0, ""));
        }

        @Override
        public void run(Map<String, Long> v, Run run) throws Exception {
            long timeoutMs = v.get("timeoutMs");
            long workMs = v.get("workMs");
            boolean shielded = v.get("shielded") == 1;
            run.lane("caller");
            AtomicReference<CancellationToken> inner = new AtomicReference<>();
            AtomicBoolean interrupted = new AtomicBoolean();
            AtomicLong bodyEnded = new AtomicLong();
            AtomicReference<String> outcome = new AtomicReference<>();
            CancellationSource request = CancellationSource.create();
            run.token("request", "", "active", "");
            Thread caller = Thread.ofVirtual().name("caller").start(() -> {
                run.mark("caller", "start", "Timeout.call(" + timeoutMs + " ms), work " + workMs + " ms");
                try {
                    String r = request.call(() -> Timeout.call(Duration.ofMillis(timeoutMs), () -> {
                        inner.set(Cancellation.current());
                        run.token("timeout", "request", "active", "");
                        try {
                            if (shielded) {
                                Cancellation.shielded(Duration.ofMillis(workMs + 1000), () -> Thread.sleep(workMs));
                            } else {
                                Thread.sleep(workMs);
                            }
                            return "completed";
                        } catch (InterruptedException e) {
                            interrupted.set(true);
                            throw e; // the timeout's interrupt: rethrown, Timeout.call reports the deadline
                        } finally {
                            bodyEnded.set(System.nanoTime());
                        }
                    }));
                    outcome.set(r);
                } catch (DeadlineExceededException e) {
                    outcome.set("timed out");
                } catch (InterruptedException e) {
                    outcome.set("interrupted");
                    Thread.currentThread().interrupt(); // not the timeout's: kept; the thread ends here
                }
                run.mark("caller", "exit", outcome.get());
            });
            caller.join();
            long returned = System.nanoTime();
            CancellationToken t = inner.get();
            if (t != null) {
                run.token("timeout", "request", state(t), reason(t));
            }
            run.token("request", "", state(request), reason(request));
            boolean late = workMs > timeoutMs;
            run.check(late ? "the work outlived its " + timeoutMs + " ms timeout: Timeout.call threw DeadlineExceededException"
                    : "the work ended within its timeout: Timeout.call returned its value",
                    outcome.get().equals(late ? "timed out" : "completed"));
            if (late) {
                run.check("the work was interrupted at the deadline (C4)", interrupted.get());
            }
            run.check("Timeout.call returned only after its body had ended (C1)", bodyEnded.get() != 0 && bodyEnded.get() <= returned);
            request.close();
        }
    }

    /** A graceful shutdown: reverse order, a grace each, a hard cancel for the one that ignores the soft one. */
    static final class ShutdownLab implements Lab {
        @Override
        public String name() {
            return "shutdown";
        }

        @Override
        public String title() {
            return "Graceful shutdown of three workers: reverse order, grace periods, a hard cancel, the report";
        }

        @Override
        public List<Param> params() {
            return List.of(new Param("databaseGraceMs", "database: grace", 0, 3000, 500, "ms"),
                    new Param("databaseCleanupMs", "database: cleanup after the cancel takes", 0, 3000, 100, "ms"),
                    new Param("httpGraceMs", "http (ignores the soft cancel): grace", 0, 3000, 200, "ms"));
        }

        @Override
        public void run(Map<String, Long> v, Run run) throws Exception {
            long dbGrace = v.get("databaseGraceMs");
            long dbCleanup = v.get("databaseCleanupMs");
            long httpGrace = v.get("httpGraceMs");
            for (String lane : List.of("shutdown", "database", "reader", "http")) {
                run.lane(lane);
            }
            CountDownLatch started = new CountDownLatch(3);
            List<String> saw = new java.util.concurrent.CopyOnWriteArrayList<>();
            Application app = Application.builder("shop")
                    .add(Worker.of("database", Duration.ofMillis(dbGrace), token -> {
                        run.mark("database", "start", "started");
                        started.countDown();
                        token.awaitCancellation();
                        saw.add("database");
                        Thread.sleep(dbCleanup); // closing connections
                    }))
                    .add(Worker.of("reader", Duration.ofMillis(300), token -> {
                        run.mark("reader", "start", "started");
                        started.countDown();
                        token.awaitCancellation();
                        saw.add("reader");
                    }))
                    .add(Worker.of("http", Duration.ofMillis(httpGrace), token -> {
                        run.mark("http", "start", "started");
                        started.countDown();
                        while (true) {
                            Thread.sleep(10_000); // ignores the soft cancel: only the interrupt stops it
                        }
                    }))
                    .budget(Duration.ofSeconds(10))
                    .build().start();
            started.await();
            run.token("shop", "", "active", "");
            run.mark("shutdown", "start", "app.shutdown(\"deploy\")");
            app.shutdown("deploy");
            ShutdownReport report = app.awaitTermination();
            run.token("shop", "", "closed", "SHUTDOWN: deploy");
            run.mark("shutdown", "exit", "shutdown ended: exit code " + report.exitCode());
            report.format().lines().forEach(run::say);
            run.check("stopped in reverse start order: http, reader, database",
                    report.stopOrder().equals(List.of("http", "reader", "database")));
            WorkerOutcome db = report.worker("database").outcome();
            boolean dbInGrace = dbCleanup < dbGrace;
            run.check("database " + (dbInGrace ? "stopped within its grace, never interrupted" : "was cancelled hard when its grace ran out"),
                    db == (dbInGrace ? WorkerOutcome.STOPPED_IN_GRACE : WorkerOutcome.STOPPED_AFTER_HARD_CANCEL));
            run.check("http ignored the soft cancel and was stopped by the hard cancel after its grace",
                    report.worker("http").outcome() == WorkerOutcome.STOPPED_AFTER_HARD_CANCEL);
            run.check("the shutdown ended within its budget", report.withinBudget());
        }
    }

    /** A file transaction cancelled at a chosen step of its commit: all files old, or all new, never torn. */
    static final class FileCommitLab implements Lab {
        @Override
        public String name() {
            return "file-commit";
        }

        @Override
        public String title() {
            return "A transaction of several files cancelled mid-commit: before the commit point nothing changes, after it all";
        }

        @Override
        public List<Param> params() {
            return List.of(new Param("files", "files in the transaction", 1, 8, 3, "files"),
                    new Param("cancelAtStep", "cancel at commit step (1 = first temp file written)", 1, 20, 2, ""));
        }

        @Override
        public void run(Map<String, Long> v, Run run) throws Exception {
            int files = (int) (long) v.get("files");
            int cancelAt = (int) (long) v.get("cancelAtStep");
            Path dir = Files.createTempDirectory("cancelkit-playground");
            run.lane("committer");
            try {
                for (int i = 0; i < files; i++) {
                    Files.writeString(dir.resolve("f" + i + ".txt"), "old " + i);
                }
                CancellationSource token = CancellationSource.create();
                run.token("commit", "", "active", "");
                AtomicInteger steps = new AtomicInteger();
                AtomicBoolean pastCommitPoint = new AtomicBoolean();
                List<String> seen = new ArrayList<>();
                FileOptions options = FileOptions.defaults().withStepListener(step -> {
                    int n = steps.incrementAndGet();
                    seen.add(step.name());
                    if (step == CommitStep.COMMIT_RENAMED) {
                        pastCommitPoint.set(true);
                    }
                    if (n == cancelAt) {
                        run.say("step " + n + " (" + step + "): cancel");
                        token.cancel("cancelled at commit step " + n + " (" + step + ")");
                    }
                });
                AtomicReference<String> outcome = new AtomicReference<>();
                Thread committer = Thread.ofVirtual().name("committer").start(() -> {
                    run.mark("committer", "start", "FileTransaction of " + files + " files");
                    try (FileTransaction tx = FileTransaction.begin(dir, options)) {
                        token.run(() -> {
                            for (int i = 0; i < files; i++) {
                                tx.writeString("f" + i + ".txt", "new " + i);
                            }
                            tx.commit();
                        });
                        outcome.set("committed");
                        run.mark("committer", "commit", "committed: every file new");
                    } catch (CancelledException e) {
                        outcome.set("rolled back");
                        run.mark("committer", "rollback", "cancelled before the commit point: rolled back");
                    } catch (Exception e) {
                        outcome.set("failed: " + e);
                    }
                    run.mark("committer", "exit", outcome.get());
                });
                committer.join();
                run.token("commit", "", state(token), reason(token));
                run.say("commit steps: " + String.join(", ", seen));
                long fresh = 0;
                for (int i = 0; i < files; i++) {
                    if (Files.readString(dir.resolve("f" + i + ".txt")).startsWith("new")) {
                        fresh++;
                    }
                }
                run.check("all " + files + " files old or all new, never torn (F2)", fresh == 0 || fresh == files);
                boolean cancelledBeforePoint = cancelAt <= steps.get() && !pastCommitPointAt(seen, cancelAt);
                run.check(cancelledBeforePoint ? "cancelled before the commit point: rolled back, nothing changed"
                        : "cancelled past the commit point (or not at all): the commit finished",
                        cancelledBeforePoint ? "rolled back".equals(outcome.get()) && fresh == 0
                                : "committed".equals(outcome.get()) && fresh == files);
            } finally {
                try (Stream<Path> s = Files.walk(dir)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }

        /** Whether the commit point (the intent's rename) was at or before step {@code n}. */
        private static boolean pastCommitPointAt(List<String> seen, int n) {
            int at = seen.indexOf(CommitStep.COMMIT_RENAMED.name());
            return at >= 0 && at < n;
        }
    }
}
