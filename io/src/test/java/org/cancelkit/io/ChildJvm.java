package org.cancelkit.io;

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
import org.jspecify.annotations.Nullable;

/**
 * A child JVM running one of the test mains, for crash tests: started with the running {@code java}
 * binary and a class path built from where the classes really are (the surefire class path may be a
 * manifest-only jar, or a module path); its standard output read line by line; killed with SIGKILL.
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

    /** Starts {@code main} with {@code args}; its standard error goes to a file in {@code logs}. */
    static ChildJvm start(Path logs, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xshare:auto", "-Xmx256m", "-cp", classPath(main), main.getName()));
        command.addAll(List.of(args));
        Files.createDirectories(logs);
        Path err = Files.createTempFile(logs, "child-", ".stderr");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        return new ChildJvm(p, err);
    }

    /** The running java: {@code ProcessHandle} where it names a java binary, else {@code java.home}. */
    static String java() {
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

    /** The code sources of the test classes, the io module and the core, then the class path as given. */
    static String classPath(Class<?> main) {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(main, AtomicFileWriter.class, Cancellation.class)) {
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

    /** The next line of output, or null once the child's output has ended. Waits for the child. */
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

    /** Reads until a line starts with {@code prefix}; fails if the output ends first. */
    String await(String prefix) throws InterruptedException {
        for (String line; (line = readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("the child ended (exit " + exitValue() + ") before printing \"" + prefix
                + "\"; stderr: " + stderr());
    }

    /** Sends a line to the child's standard input. */
    void send(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /**
     * Kills with SIGKILL and waits for the process to be gone. Through the process handle:
     * {@code Process.destroyForcibly()} also closes our end of its output, and would lose the lines
     * (the ACKs) still in the pipe.
     */
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

    /** Every remaining line of output, after the process ended. */
    List<String> drain() throws InterruptedException {
        List<String> rest = new ArrayList<>();
        for (String line; (line = readLine()) != null; ) {
            rest.add(line);
        }
        return rest;
    }

    long pid() {
        return process.pid();
    }

    int exitValue() {
        try {
            return process.exitValue();
        } catch (IllegalThreadStateException e) {
            return -1;
        }
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
