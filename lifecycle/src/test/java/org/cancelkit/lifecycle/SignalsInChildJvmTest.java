package org.cancelkit.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cancelkit.CancellationToken;
import org.cancelkit.lifecycle.demo.SignalDemo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * L1 with real signals: a child JVM runs {@link SignalDemo} with the library on the module path (so
 * {@code sun.misc.Signal} is reached through JPMS, as a user's modular application would), and gets
 * SIGTERM ({@code Process.destroy()}), SIGINT ({@code kill -INT}), or SIGTERM then SIGINT with a stuck
 * worker. Pass: it exits within its 5 s budget (plus JVM start/exit slack), the report is printed, the
 * exit code is the report's.
 */
class SignalsInChildJvmTest {
    /** The demo's budget, and what is allowed on top for the JVM on a shared machine. */
    private static final long BUDGET_MS = 5_000;
    private static final long SLACK_MS = 10_000;

    @TempDir
    Path dir;

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + c, e);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private record Child(Process process, BufferedReader out, Path err) {
        String awaitLine(String prefix) throws IOException {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new AssertionError("the child ended before printing " + prefix + "; stderr: " + Files.readString(err));
        }

        /** Waits for the exit (an event), bounded; returns how long it took from the call. */
        long awaitExitMillis() throws Exception {
            long t0 = System.nanoTime();
            if (!process.waitFor(BUDGET_MS + SLACK_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the child did not exit within its budget + slack; stderr: " + Files.readString(err));
            }
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        }
    }

    private Child start(String mode) throws IOException {
        Child c = start(mode, "-Xshare:auto");
        String ready = c.awaitLine("READY");
        assertThat(ready).as("handled through sun.misc.Signal, library in a named module").startsWith("READY signals")
                .endsWith("named-module=true");
        return c;
    }

    private Child start(String mode, String jvmFlag) throws IOException {
        String modulePath = location(Application.class) + File.pathSeparator + location(CancellationToken.class);
        List<String> command = new ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                jvmFlag, "--module-path", modulePath, "--add-modules", "org.cancelkit.lifecycle",
                "-cp", location(SignalDemo.class), SignalDemo.class.getName(), mode));
        Path err = Files.createTempFile(dir, "child-", ".stderr");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        return new Child(p, new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)), err);
    }

    @Test
    @DisplayName("L1, limit: under -Xrs the JVM keeps the signals; the fallback is a shutdown hook, and SIGTERM ends the process with 143")
    void underXrsTheFallbackIsAHook() throws Exception {
        Child c = start("clean", "-Xrs");
        assertThat(c.awaitLine("READY")).startsWith("READY shutdown hook");
        c.process().destroy();
        c.awaitExitMillis();
        assertThat(c.process().exitValue()).isEqualTo(143); // documented: no handler, no hooks, no report
        c.out().close();
    }

    private static void kill(String signal, long pid) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(k.waitFor(30, TimeUnit.SECONDS) && k.exitValue() == 0).as("kill -%s %d", signal, pid).isTrue();
    }

    @Test
    @DisplayName("L1: SIGTERM (Process.destroy) drains in reverse order, prints the report, exits 0 within the budget")
    void sigterm() throws Exception {
        Child c = start("clean");
        c.process().destroy(); // SIGTERM on Linux
        long took = c.awaitExitMillis();
        String report = Files.readString(c.err());
        assertThat(c.process().exitValue()).as(report).isEqualTo(0);
        assertThat(took).isLessThan(BUDGET_MS + SLACK_MS);
        assertThat(report).contains("shutdown of demo: SIGTERM", "exit code 0").doesNotContain("OVER BUDGET");
        assertThat(report.indexOf("http")).isLessThan(report.indexOf("ingest/parser"));
        assertThat(report.indexOf("ingest/parser")).isLessThan(report.indexOf("ingest/reader"));
        assertThat(report.indexOf("ingest/reader")).isLessThan(report.indexOf("db "));
        assertThat(report.lines().filter(l -> l.contains("stopped in grace")).count()).isEqualTo(4);
        c.out().close();
    }

    @Test
    @DisplayName("L1: SIGINT (kill -INT) does the same")
    void sigint() throws Exception {
        Child c = start("clean");
        kill("INT", c.process().pid());
        c.awaitExitMillis();
        String report = Files.readString(c.err());
        assertThat(c.process().exitValue()).as(report).isEqualTo(0);
        assertThat(report).contains("shutdown of demo: SIGINT", "exit code 0");
        c.out().close();
    }

    @Test
    @DisplayName("L1: signal storm (SIGTERM, SIGTERM, SIGINT): the shutdown runs once, each cleanup once, within the budget")
    void signalStorm() throws Exception {
        Child c = start("clean");
        long pid = c.process().pid();
        kill("TERM", pid);
        kill("TERM", pid); // escalates
        kill("INT", pid);  // ignored
        c.awaitExitMillis();
        String report = Files.readString(c.err());
        List<String> out = c.out().lines().toList();
        assertThat(out.stream().filter(l -> l.equals("db: closing connections")).count()).as(out.toString()).isEqualTo(1);
        assertThat(out.stream().filter(l -> l.equals("http: draining")).count()).as(out.toString()).isEqualTo(1);
        assertThat(report.lines().filter(l -> l.startsWith("shutdown of demo")).count()).as(report).isEqualTo(1);
        assertThat(report).doesNotContain("OVER BUDGET");
        assertThat(c.process().exitValue()).as(report).isIn(ShutdownReport.EXIT_CLEAN, ShutdownReport.EXIT_FORCED);
        c.out().close();
    }

    @Test
    @DisplayName("L1: SIGTERM then SIGINT escalates; a stuck worker is abandoned with its stack; exit code 2 within the budget")
    void secondSignalAndStuckWorker() throws Exception {
        Child c = start("stuck");
        kill("TERM", c.process().pid());
        c.awaitLine("legacy: cancel seen"); // the shutdown has begun: legacy is in its 1 s grace
        kill("INT", c.process().pid());
        long took = c.awaitExitMillis();
        String report = Files.readString(c.err());
        assertThat(c.process().exitValue()).as(report).isEqualTo(ShutdownReport.EXIT_FORCED);
        assertThat(took).isLessThan(BUDGET_MS + SLACK_MS);
        assertThat(report).contains("shutdown of demo: SIGTERM", "escalated: SIGINT during the shutdown",
                "legacy", "ABANDONED", "stuckForever").doesNotContain("OVER BUDGET");
        c.out().close();
    }
}
