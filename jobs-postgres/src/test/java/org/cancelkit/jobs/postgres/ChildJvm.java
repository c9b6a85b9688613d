package org.cancelkit.jobs.postgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cancelkit.Cancellation;
import org.cancelkit.jdbc.SqlTransaction;
import org.cancelkit.jobs.Job;
import org.jspecify.annotations.Nullable;

/**
 * A child JVM running a test main, for crash tests (as in the io and jobs modules' tests): the running
 * {@code java} binary, a class path built from where the classes really are, its output read line by
 * line, killed with SIGKILL through its process handle.
 */
final class ChildJvm implements AutoCloseable {
    private static final String END = "\u0000end";
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path stderr;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread.ofVirtual().name("child-stdout-" + process.pid()).start(this::pump);
    }

    static ChildJvm start(Path logs, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xshare:auto", "-Xmx256m", "-cp", classPath(main), main.getName()));
        command.addAll(List.of(args));
        Files.createDirectories(logs);
        Path err = Files.createTempFile(logs, "child-", ".stderr");
        return new ChildJvm(new ProcessBuilder(command).redirectError(err.toFile()).start(), err);
    }

    private static String java() {
        Optional<String> command = ProcessHandle.current().info().command();
        if (command.isPresent()) {
            Path p = Path.of(command.get());
            String name = String.valueOf(p.getFileName());
            if (Files.isExecutable(p) && (name.equals("java") || name.equals("java.exe"))) {
                return p.toString();
            }
        }
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The test classes, this module, jobs, jdbc and core, then the module or class path as given. */
    private static String classPath(Class<?> main) {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(main, ClusterJob.class, Job.class, SqlTransaction.class, Cancellation.class)) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException | RuntimeException e) {
                throw new IllegalStateException("cannot locate the classes of " + c + " for a child JVM", e);
            }
        }
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                entries.addAll(List.of(value.split(java.io.File.pathSeparator)));
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the child died mid-line: what was read is all there is
        } finally {
            lines.add(END);
        }
    }

    /** The next line, or null once the output has ended. */
    @Nullable String readLine() throws InterruptedException {
        String line = lines.poll(120, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("the child printed nothing for 120 s; stderr: " + stderr());
        }
        if (line.equals(END)) {
            lines.add(END);
            return null;
        }
        return line;
    }

    /** Reads until a line starts with {@code prefix}; returns null if the output ends first. */
    @Nullable String await(String prefix) throws InterruptedException {
        for (String line; (line = readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        return null;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGSTOP (frozen: no thread runs, its connections stay open) or SIGCONT. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor();
    }

    int waitFor() throws InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            throw new AssertionError("the child did not end within 120 s; stderr: " + stderr());
        }
        return process.exitValue();
    }

    String stderr() {
        try {
            String s = Files.readString(stderr);
            return s.length() > 4000 ? s.substring(0, 4000) + "…" : s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the child if it still runs, and waits for it, through interrupts. */
    @Override
    public void close() {
        process.toHandle().destroyForcibly();
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting: a child must not outlive its test; restored below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
