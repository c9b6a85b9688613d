package org.cancelkit.testkit;

import java.io.BufferedReader;
import java.io.File;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cancelkit.Cancellation;
import org.jspecify.annotations.Nullable;

/**
 * A child JVM running a {@code main} of your tests, for crash tests: kill the process that writes a
 * file, holds a lock or runs a job at a moment the test chooses, then check what it left behind.
 *
 * {@snippet :
 * try (ChildJvm child = ChildJvm.start(logs, WriterMain.class, List.of(AtomicFiles.class), target.toString())) {
 *     child.await("READY");                       // the child prints READY once it writes
 *     long acked = Long.parseLong(child.await("ACK ").substring(4));
 *     child.kill();                               // SIGKILL: no shutdown hook, no finally block runs
 *     // every line the child printed before it died is still readable: child.drain()
 * }
 * }
 *
 * <h2>How the child starts</h2>
 * With the {@code java} binary of the running JVM (the process's own command where it names a
 * {@code java} binary, else {@code java.home}), {@code -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
 * -Xshare:auto -Xmx256m}, and a class path built from where the classes really are: the code source of
 * {@code main}, of each class you name, and of the core, then the entries of {@code jdk.module.path}
 * and {@code java.class.path}. A test JVM's own class path may name a manifest-only jar, or the
 * classes may sit on the module path; naming a class of each module the child needs makes the class
 * path complete either way. The child's standard error goes to a file in the directory you give (see
 * {@link #stderr()}); its standard output is read line by line on a virtual thread of its own.
 *
 * <h2>Waiting on the child</h2>
 * {@link #readLine()}, {@link #await}, {@link #awaitOrEnd} and {@link #waitFor()} wait at most
 * {@value #PATIENCE_SECONDS} s on the child and then fail with an {@link AssertionError} that shows its
 * standard error: a child that hangs fails its test instead of hanging the build.
 *
 * <p>{@link #close()} kills the child if it still runs and waits for it to be gone, so that no child
 * outlives the test that started it. One thread drives a {@code ChildJvm}; it is not thread-safe.
 */
public final class ChildJvm implements AutoCloseable {
    /** How long the waits of this class wait on the child, in seconds. */
    public static final int PATIENCE_SECONDS = 120;

    private static final String END = "\u0000end";
    private static final int STDERR_SHOWN = 4000;

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path stderr;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread.ofVirtual().name("child-stdout-" + process.pid()).start(this::pump);
    }

    /**
     * Starts {@code main} in a child JVM whose class path holds the classes of {@code main} and of the
     * core, then the running JVM's module and class path.
     *
     * @param logs the directory for the child's standard error file; created if missing
     * @param main the class whose {@code main} the child runs
     * @param args the arguments of {@code main}
     * @return the running child
     * @throws IOException when the directory, the file or the process cannot be created
     */
    public static ChildJvm start(Path logs, Class<?> main, String... args) throws IOException {
        return start(logs, main, List.of(), args);
    }

    /**
     * Starts {@code main} in a child JVM whose class path holds the classes of {@code main}, of each of
     * {@code classesOf} (name one class of each module the child needs) and of the core, then the
     * running JVM's module and class path.
     *
     * @param logs the directory for the child's standard error file; created if missing
     * @param main the class whose {@code main} the child runs
     * @param classesOf one class of each further module or directory the child needs, in class path order
     * @param args the arguments of {@code main}
     * @return the running child
     * @throws IOException when the directory, the file or the process cannot be created
     * @throws IllegalStateException when the location of one of the classes cannot be found
     */
    public static ChildJvm start(Path logs, Class<?> main, List<Class<?>> classesOf, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xshare:auto", "-Xmx256m", "-cp", classPath(main, classesOf), main.getName()));
        command.addAll(List.of(args));
        Files.createDirectories(logs);
        Path err = Files.createTempFile(logs, "child-", ".stderr");
        return new ChildJvm(new ProcessBuilder(command).redirectError(err.toFile()).start(), err);
    }

    /**
     * Returns the {@code java} binary of the running JVM, for a test that starts a child JVM of its own
     * (under {@code strace}, say): the process's own command where it names a {@code java} binary, else
     * the one in {@code java.home}.
     *
     * @return the path of the binary
     */
    public static String java() {
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

    /**
     * Returns the class path that {@link #start(Path, Class, List, String...)} gives the child: the code
     * sources of {@code main}, of each of {@code classesOf} and of the core, then the entries of
     * {@code jdk.module.path} and {@code java.class.path}, each once.
     *
     * @param main the class whose {@code main} the child runs
     * @param classesOf one class of each further module or directory the child needs, in class path order
     * @return the class path, its entries separated by {@link File#pathSeparator}
     * @throws IllegalStateException when the location of one of the classes cannot be found
     */
    public static String classPath(Class<?> main, List<Class<?>> classesOf) {
        List<Class<?>> located = new ArrayList<>();
        located.add(Objects.requireNonNull(main, "main"));
        located.addAll(classesOf);
        located.add(Cancellation.class);
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : located) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException | RuntimeException e) {
                throw new IllegalStateException("cannot locate the classes of " + c + " for a child JVM", e);
            }
        }
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                entries.addAll(List.of(value.split(File.pathSeparator)));
            }
        }
        return String.join(File.pathSeparator, entries);
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

    /**
     * Returns the next line of the child's standard output, waiting for it.
     *
     * @return the line, or null once the output has ended (the child closed it or died)
     * @throws InterruptedException when the waiting thread is interrupted
     * @throws AssertionError when the child prints nothing for {@value #PATIENCE_SECONDS} s
     */
    public @Nullable String readLine() throws InterruptedException {
        String line = lines.poll(PATIENCE_SECONDS, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("the child printed nothing for " + PATIENCE_SECONDS + " s; stderr: "
                    + stderr());
        }
        if (line.equals(END)) {
            lines.add(END);
            return null;
        }
        return line;
    }

    /**
     * Reads lines until one starts with {@code prefix}; the lines before it are dropped.
     *
     * @param prefix what the line starts with ({@code ""}: the next line)
     * @return the line
     * @throws InterruptedException when the waiting thread is interrupted
     * @throws AssertionError when the output ends first (the message shows the exit value and standard
     *     error), or the child prints nothing for {@value #PATIENCE_SECONDS} s
     */
    public String await(String prefix) throws InterruptedException {
        String line = awaitOrEnd(prefix);
        if (line == null) {
            throw new AssertionError("the child ended (exit " + exitValue() + ") before printing \"" + prefix
                    + "\"; stderr: " + stderr());
        }
        return line;
    }

    /**
     * Reads lines until one starts with {@code prefix}, or the output ends; the lines before it are
     * dropped. For tests where the child's end is an expected outcome.
     *
     * @param prefix what the line starts with ({@code ""}: the next line)
     * @return the line, or null when the output ended first
     * @throws InterruptedException when the waiting thread is interrupted
     * @throws AssertionError when the child prints nothing for {@value #PATIENCE_SECONDS} s
     */
    public @Nullable String awaitOrEnd(String prefix) throws InterruptedException {
        for (String line; (line = readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        return null;
    }

    /**
     * Returns every remaining line of output; call it once the process has ended (or been killed).
     *
     * @return the lines not read yet, in order
     * @throws InterruptedException when the waiting thread is interrupted
     * @throws AssertionError when the output does not end within {@value #PATIENCE_SECONDS} s of a line
     */
    public List<String> drain() throws InterruptedException {
        List<String> rest = new ArrayList<>();
        for (String line; (line = readLine()) != null; ) {
            rest.add(line);
        }
        return rest;
    }

    /**
     * Sends a line to the child's standard input.
     *
     * @param line the line, without its line separator
     * @throws IOException when the child's input is closed
     */
    public void send(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /**
     * Kills the child with SIGKILL and waits for the process to be gone. The lines it printed before
     * stay readable: the kill goes through the process handle, because
     * {@code Process.destroyForcibly()} also closes this end of the child's output and would lose the
     * lines still in the pipe.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor();
    }

    /**
     * Sends a signal with the {@code kill} command: {@code "STOP"} freezes the child (no thread runs,
     * its connections and files stay open), {@code "CONT"} lets it go on.
     *
     * @param name the signal's name, without {@code SIG}
     * @throws IOException when {@code kill} cannot run or fails
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /**
     * Waits for the child to end.
     *
     * @return its exit value (137 after SIGKILL)
     * @throws InterruptedException when the waiting thread is interrupted
     * @throws AssertionError when the child does not end within {@value #PATIENCE_SECONDS} s
     */
    public int waitFor() throws InterruptedException {
        if (!process.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("the child did not end within " + PATIENCE_SECONDS + " s; stderr: "
                    + stderr());
        }
        return process.exitValue();
    }

    /**
     * Returns the child's process id.
     *
     * @return the pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * Tells whether the child still runs.
     *
     * @return true until the process has ended
     */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Returns the child's exit value without waiting.
     *
     * @return the exit value, or -1 while the child runs
     */
    public int exitValue() {
        try {
            return process.exitValue();
        } catch (IllegalThreadStateException e) {
            return -1;
        }
    }

    /**
     * Returns what the child wrote to its standard error so far, cut after 4000 characters.
     *
     * @return the text
     * @throws UncheckedIOException when the file cannot be read
     */
    public String stderr() {
        try {
            String s = Files.readString(stderr);
            return s.length() > STDERR_SHOWN ? s.substring(0, STDERR_SHOWN) + "…" : s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the child if it still runs and waits for it to be gone, through interrupts. */
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
