package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancellationToken;
import org.cancelkit.lifecycle.demo.CpuBoundDemo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * L1 when the workers keep every carrier thread busy (issue 13, item 3). A child JVM runs
 * {@link CpuBoundDemo} with {@code -Djdk.virtualThreadScheduler.parallelism=2} and
 * {@code maxPoolSize=2}, so its two CPU-bound workers occupy every carrier whatever the machine's core
 * count, and no other virtual thread is scheduled while they run. The shutdown sequence, its budget
 * and its signal handling must still make progress: the child gets real signals and must exit within
 * its 3 s budget plus a generous bound, with a report that names the workers that could not be
 * stopped.
 *
 * <p>Control, in every run: a virtual thread started once both workers spin prints {@code probe ran}
 * if it ever gets a carrier; with workers that never stop it never does, so the carriers really were
 * all busy (without the two flags it would run at once on this machine's other cores).
 */
class CpuBoundWorkersInChildJvmTest {
    private static final long BUDGET_MS = 3_000;
    /** On top of the budget: report, exit, and a shared 2-core machine. */
    private static final long BOUND_MS = 10_000;

    @TempDir
    Path dir;

    /** The children of this test: none outlives it, whatever failed. */
    private final List<Process> children = new CopyOnWriteArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + c, e);
        }
    }

    /** The child, its standard output collected line by line (a reader thread), its standard error in a file. */
    private record Child(Process process, List<String> out, Thread reader, Path err) {
        /** Waits (bounded) until a line starting with {@code prefix} has been printed. */
        void awaitLine(String prefix) throws Exception {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS);
            while (out.stream().noneMatch(l -> l.startsWith(prefix))) {
                if (!process.isAlive() && !reader.isAlive() || System.nanoTime() > end) {
                    throw new AssertionError("no line '" + prefix + "' from the child; out: " + out + "; err: "
                            + Files.readString(err));
                }
                Thread.sleep(10); // a poll interval, not a wait for something to happen: the loop checks
            }
        }

        /** Waits for the exit, bounded by the budget plus the bound; returns the report (standard error). */
        String awaitExit() throws Exception {
            if (!process.waitFor(BUDGET_MS + BOUND_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the child did not exit within its " + BUDGET_MS + " ms budget + " + BOUND_MS
                        + " ms after SIGTERM: the shutdown did not make progress; out: " + out + "; err: "
                        + Files.readString(err));
            }
            reader.join(BOUND_MS);
            return Files.readString(err);
        }
    }

    private Child start(String mode, long graceMs) throws Exception {
        String modulePath = location(Application.class) + File.pathSeparator + location(CancellationToken.class);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.virtualThreadScheduler.parallelism=2", "-Djdk.virtualThreadScheduler.maxPoolSize=2",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "--module-path", modulePath, "--add-modules", "org.cancelkit.lifecycle",
                "-cp", location(CpuBoundDemo.class), CpuBoundDemo.class.getName(), mode, Long.toString(graceMs));
        Path err = Files.createTempFile(dir, "child-", ".stderr");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        children.add(p);
        List<String> out = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().forEach(out::add);
            } catch (IOException | UncheckedIOException e) {
                out.add("(output lost: " + e + ")");
            }
        });
        Child c = new Child(p, out, reader, err);
        c.awaitLine("READY signals");
        return c;
    }

    private static void kill(String signal, long pid) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(k.waitFor(30, TimeUnit.SECONDS) && k.exitValue() == 0).as("kill -%s %d", signal, pid).isTrue();
    }

    @Test
    @DisplayName("L1: CPU-bound workers that ignore every cancel on all carriers: SIGTERM still ends the process within the budget, the report names them ABANDONED")
    void workersThatIgnoreCancellation() throws Exception {
        Child c = start("spin", 500);
        kill("TERM", c.process().pid());
        String report = c.awaitExit();
        assertThat(c.process().exitValue()).as(report).isEqualTo(ShutdownReport.EXIT_FORCED);
        assertThat(report).contains("shutdown of cpu: SIGTERM").doesNotContain("OVER BUDGET");
        for (String worker : List.of("spin-1", "spin-2")) {
            assertThat(report.lines().filter(l -> l.contains(worker) && l.contains("ABANDONED")))
                    .as("the report names %s as not stopped: %s", worker, report).hasSize(1);
            assertThat(c.out()).as("its soft cancel was sent").contains(worker + ": cancel seen");
        }
        assertThat(report).as("with its stack").contains("spinForever");
        assertThat(c.out()).as("control: the carriers were all busy to the end").doesNotContain("probe ran");
    }

    @Test
    @DisplayName("L1: the second SIGTERM escalates even while the workers hold every carrier")
    void secondSignalEscalates() throws Exception {
        Child c = start("spin", 2_500);
        kill("TERM", c.process().pid());
        c.awaitLine("spin-2: cancel seen"); // the shutdown runs: spin-2 is in its grace
        kill("TERM", c.process().pid());
        String report = c.awaitExit();
        assertThat(c.process().exitValue()).as(report).isEqualTo(ShutdownReport.EXIT_FORCED);
        assertThat(report).contains("escalated: SIGTERM during the shutdown").doesNotContain("OVER BUDGET");
        assertThat(report.lines().filter(l -> l.contains("ABANDONED"))).as(report).hasSize(2);
        assertThat(c.out()).as("control: the carriers were all busy to the end").doesNotContain("probe ran");
    }

    @Test
    @DisplayName("L1: well-behaved CPU-bound workers (while (!token.isCancelled())) on all carriers stop in grace on SIGTERM; exit 0")
    void workersThatCheckTheToken() throws Exception {
        Child c = start("polite", 1_000);
        kill("TERM", c.process().pid());
        String report = c.awaitExit();
        assertThat(c.process().exitValue()).as(report).isEqualTo(ShutdownReport.EXIT_CLEAN);
        assertThat(report.lines().filter(l -> l.contains("stopped in grace"))).as(report).hasSize(2);
        assertThat(c.out()).as("each saw its soft cancel and stopped").contains("spin-1: stopped", "spin-2: stopped");
    }
}
