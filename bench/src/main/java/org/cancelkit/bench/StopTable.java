package org.cancelkit.bench;

import com.google.common.util.concurrent.SimpleTimeLimiter;
import dev.failsafe.Failsafe;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.TimeUnit;
import org.cancelkit.TaskGroup;
import org.cancelkit.TaskReport;
import org.cancelkit.Timeout;

/**
 * "Does the work stop?": a program, not a benchmark. For each contender, a task runs under a 50 ms
 * timeout, and the program records when the caller got control back, whether the task was still
 * running at that moment, and when the task really stopped, all in milliseconds after the deadline
 * (the moment the timeout was armed, plus 50 ms).
 *
 * <p>Two tasks, the same code for every contender:
 * <ul>
 *   <li>{@code sleep}: {@code Thread.sleep(1)} in a loop until 5 s have passed; an
 *       {@code InterruptedException} ends it (it propagates).</li>
 *   <li>{@code busy}: a loop that only checks {@code Thread.interrupted()} (and throws
 *       {@code InterruptedException} when it is set) until 5 s have passed.</li>
 * </ul>
 * "Stopped" is the moment the task's body exited (a {@code finally} in the task). A task still
 * running 2 s after the deadline is reported as such; the program then waits for it to end on its
 * own (at most 5 s after it started) before the next case, so no leftover task competes with the
 * next one for the CPU. Contenders that run the task on another thread get the same
 * virtual-thread-per-task executor; cancelkit's {@code Timeout} and Failsafe's synchronous
 * {@code Timeout} run it on the calling thread, as they are designed to. Each case runs
 * {@code rounds} times; the round whose task stopped latest is reported (the worst).
 *
 * <p>Usage: {@code StopTable [rounds]}. Prints {@code RESULT stop.<case>.<task> back|runningAtBack|stopped|outcome}
 * and {@code RESULT stop.cases <case>,<case>,...}.
 */
public final class StopTable {
    static final long TIMEOUT_MS = 50;
    static final long TASK_NS = TimeUnit.SECONDS.toNanos(5);
    static final long GIVE_UP_NS = TimeUnit.SECONDS.toNanos(2);

    /** The task's body: what every contender runs. */
    static final class Work {
        final boolean busy;
        final long startedAt = System.nanoTime();
        volatile long stoppedAt;

        Work(boolean busy) {
            this.busy = busy;
        }

        Integer call() throws InterruptedException {
            try {
                long end = startedAt + TASK_NS;
                if (busy) {
                    long spins = 0;
                    while (System.nanoTime() < end) {
                        if (Thread.interrupted()) {
                            throw new InterruptedException("busy loop saw the interrupt");
                        }
                        spins++;
                    }
                    return (int) spins;
                }
                int steps = 0;
                while (System.nanoTime() < end) {
                    Thread.sleep(1);
                    steps++;
                }
                return steps;
            } finally {
                stoppedAt = System.nanoTime();
            }
        }

        /** For suppliers that may not throw checked exceptions. */
        Integer callUnchecked() {
            try {
                return call();
            } catch (InterruptedException e) {
                throw new CompletionException(e);
            }
        }
    }

    /** One contender: runs {@code work} under a 50 ms timeout, returns when the caller has control. */
    @FunctionalInterface
    interface Contender {
        @org.jspecify.annotations.Nullable Object run(Work work) throws Exception;
    }

    record Case(String id, Contender contender) {}

    /** What one round measured, in nanoseconds after the deadline ({@code stopped} is -1 if still running). */
    record Row(long back, boolean runningAtBack, long stopped, String outcome) {}

    private StopTable() {}

    /**
     * Runs the table.
     *
     * @param args {@code [rounds]}
     * @throws Exception when a case cannot be run
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        Duration timeout = Duration.ofMillis(TIMEOUT_MS);
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("orTimeout", w -> CompletableFuture.supplyAsync(w::callUnchecked, executor)
                .orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join()));
        cases.add(new Case("futureGet", w -> executor.submit(w::call).get(TIMEOUT_MS, TimeUnit.MILLISECONDS)));
        cases.add(new Case("futureGetCancel", w -> {
            Future<Integer> f = executor.submit(w::call);
            try {
                return f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } finally {
                f.cancel(true);
            }
        }));
        TimeLimiter cancelling = TimeLimiter.of(TimeLimiterConfig.custom().timeoutDuration(timeout)
                .cancelRunningFuture(true).build());
        TimeLimiter notCancelling = TimeLimiter.of(TimeLimiterConfig.custom().timeoutDuration(timeout)
                .cancelRunningFuture(false).build());
        cases.add(new Case("r4jCancel", w -> cancelling.executeFutureSupplier(() -> executor.submit(w::call))));
        cases.add(new Case("r4jNoCancel", w -> notCancelling.executeFutureSupplier(() -> executor.submit(w::call))));
        cases.add(new Case("r4jStageCancel", w -> cancelling.executeCompletionStage(scheduler,
                () -> CompletableFuture.supplyAsync(w::callUnchecked, executor)).toCompletableFuture().join()));
        dev.failsafe.Timeout<Integer> fsPlain = dev.failsafe.Timeout.<Integer>builder(timeout).build();
        dev.failsafe.Timeout<Integer> fsInterrupt = dev.failsafe.Timeout.<Integer>builder(timeout).withInterrupt().build();
        cases.add(new Case("failsafe", w -> Failsafe.with(fsPlain).get(w::call)));
        cases.add(new Case("failsafeInterrupt", w -> Failsafe.with(fsInterrupt).get(w::call)));
        SimpleTimeLimiter guava = SimpleTimeLimiter.create(executor);
        cases.add(new Case("guava", w -> guava.callWithTimeout(w::call, TIMEOUT_MS, TimeUnit.MILLISECONDS)));
        cases.add(new Case("structuredTaskScope", w -> {
            try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<Integer>awaitAllSuccessfulOrThrow(),
                    cf -> cf.withTimeout(timeout))) {
                scope.fork(w::call);
                scope.join();
            }
            return null;
        }));
        cases.add(new Case("kotlinxWithTimeout", w -> Kx.withTimeoutInterruptible(TIMEOUT_MS, w::call)));
        cases.add(new Case("cancelkitTimeout", w -> Timeout.call(timeout, w::call)));
        cases.add(new Case("cancelkitTaskGroup", w -> Timeout.call(timeout, () -> {
            try (TaskGroup group = TaskGroup.open()) {
                group.fork("work", w::call);
                TaskReport report = group.join();
                return "join's report: completed " + report.completed() + ", cancelled " + report.cancelled();
            }
        })));

        // One untimed round of everything first (the sleeping task, not waited for past +2 s: it takes
        // no CPU), so no contender pays for class loading in the table.
        for (Case c : cases) {
            once(c, false, 0);
        }
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(TASK_NS));
        StringBuilder ids = new StringBuilder();
        for (Case c : cases) {
            ids.append(ids.isEmpty() ? "" : ",").append(c.id());
            for (boolean busy : new boolean[] {false, true}) {
                Row worst = null;
                for (int i = 0; i < rounds; i++) {
                    Row r = once(c, busy, rounds);
                    if (worst == null || later(r, worst)) {
                        worst = r;
                    }
                }
                Row w = java.util.Objects.requireNonNull(worst);
                Out.result("stop." + c.id() + "." + (busy ? "busy" : "sleep"),
                        Out.ms(w.back()) + "|" + w.runningAtBack() + "|" + (w.stopped() < 0 ? "-1" : Out.ms(w.stopped()))
                                + "|" + w.outcome());
            }
        }
        Out.result("stop.cases", ids.toString());
        Out.result("stop.rounds", Integer.toString(rounds));
        executor.shutdownNow();
        scheduler.shutdownNow();
    }

    private static boolean later(Row a, Row b) {
        if (a.stopped() < 0 || b.stopped() < 0) {
            return a.stopped() < 0 && b.stopped() >= 0;
        }
        return a.stopped() > b.stopped();
    }

    private static Row once(Case c, boolean busy, int printRounds) throws InterruptedException {
        long armed;
        String outcome;
        Contender contender = c.contender();
        Work work = new Work(busy);
        armed = work.startedAt;
        try {
            Object value = contender.run(work);
            outcome = value instanceof String text ? "returned; " + text : "returned normally";
        } catch (Throwable t) {
            outcome = describe(t);
        }
        long back = System.nanoTime();
        boolean runningAtBack = work.stoppedAt == 0;
        // Failsafe's withInterrupt and others may leave an interrupt on the caller: clear it, note it.
        if (Thread.interrupted()) {
            outcome += "; caller left interrupted";
        }
        long deadline = armed + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (work.stoppedAt == 0 && System.nanoTime() < deadline + GIVE_UP_NS) {
            Thread.sleep(1);
        }
        long stoppedAt = work.stoppedAt;
        long stopped = stoppedAt == 0 ? -1 : stoppedAt - deadline;
        // Wait for a leftover task to end on its own, so it does not compete with the next case.
        while (work.stoppedAt == 0 && (printRounds > 0 || busy)) {
            Thread.sleep(5);
        }
        Thread.sleep(20);
        if (printRounds > 0) {
            System.out.printf("%-22s %-5s back %+9.3f ms  running at back: %-5s  stopped %s  (%s)%n", c.id(),
                    busy ? "busy" : "sleep", (back - deadline) / 1e6, runningAtBack,
                    stopped < 0 ? "still running at +2 s" : String.format("%+.3f ms", stopped / 1e6), outcome);
        }
        return new Row(back - deadline, runningAtBack, stopped, outcome);
    }

    /** The exception the caller saw: its simple class name, unwrapped through completion wrappers. */
    private static String describe(Throwable t) {
        String name = t.getClass().getSimpleName();
        Throwable cause = t.getCause();
        if (cause != null && (t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)) {
            return name + "(" + cause.getClass().getSimpleName() + ")";
        }
        return name;
    }
}
