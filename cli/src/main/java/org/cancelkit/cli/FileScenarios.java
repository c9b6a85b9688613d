package org.cancelkit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.cancelkit.Cancellation;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.io.AtomicFiles;
import org.cancelkit.io.CommitStep;
import org.cancelkit.io.FileOptions;
import org.cancelkit.io.FileTransaction;
import org.cancelkit.io.RecoveryReport;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The io module's scenarios: a config write stopped by its timeout, a transaction killed mid-commit. */
final class FileScenarios {
    private FileScenarios() {}

    /** The files of the three-file transaction, in the order it writes (and renames) them. */
    static final List<String> TX_FILES = List.of("app.conf", "users.conf", "keys.conf");

    static List<Scenario> all() {
        return List.of(new ConfigWriteTimesOut(), new KilledTransactionRecovers());
    }

    /** A config written under a timeout: a slow serializer, a 100 ms timeout, the old config intact. */
    static final class ConfigWriteTimesOut implements Scenario {
        @Override
        public String name() {
            return "config-write";
        }

        @Override
        public String title() {
            return "A config write stopped half-way by its timeout leaves the old config whole, and no temp file";
        }

        @Override
        public String invariants() {
            return "F1 F3";
        }

        @Override
        public void run(Report r) throws Exception {
            Path dir = Files.createTempDirectory("cancelkit-tour-config");
            try {
                Path config = dir.resolve("config.json");
                String old = "{\"version\": 1, \"threads\": 8, \"endpoint\": \"https://old.example\"}\n";
                String next = "{\"version\": 2, \"threads\": 16, \"endpoint\": \"https://new.example\"}\n";
                Files.writeString(config, old);
                byte[] bytes = next.getBytes(UTF_8);
                int half = bytes.length / 2;
                long start = System.nanoTime();
                String outcome;
                try {
                    AtomicFiles.write(config, out -> {
                        out.write(bytes, 0, half);
                        try {
                            Cancellation.sleep(Duration.ofSeconds(1)); // a slow serializer, half-way through
                        } catch (InterruptedException e) {
                            // FileContent throws only IOException: keep the interrupt for the caller, abort the write
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("interrupted while writing the config");
                        }
                        out.write(bytes, half, bytes.length - half);
                    }, Duration.ofMillis(100));
                    outcome = "returned normally";
                } catch (DeadlineExceededException e) {
                    outcome = "DeadlineExceededException";
                }
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                boolean interruptLeft = Thread.currentThread().isInterrupted();
                String now = Files.readString(config);
                List<String> temps = names(dir).stream().filter(n -> n.endsWith(".cancelkit.tmp")).toList();
                r.say("AtomicFiles.write(config.json, {" + half + " of " + bytes.length + " bytes, sleep 1 s, the rest}, 100 ms): "
                        + outcome + " after " + elapsedMs + " ms");
                r.say("config.json now: " + now.strip());
                r.say("files in the directory: " + names(dir));
                r.check("the write failed with DeadlineExceededException", outcome.equals("DeadlineExceededException"));
                r.check("it returned at the deadline (100-700 ms), not after the 1 s sleep", elapsedMs >= 100 && elapsedMs < 700);
                r.check("F1: config.json is the whole old config", now.equals(old));
                r.check("F3: no *.cancelkit.tmp file is left " + temps, temps.isEmpty());
                r.check("no interrupt was left on the caller's thread", !interruptLeft);
            } finally {
                deleteTree(dir);
            }
        }
    }

    /**
     * A three-file transaction in a child JVM, paused after its first rename (past the commit point),
     * killed with SIGKILL, then recovered by this process: all three files new, nothing left over.
     */
    static final class KilledTransactionRecovers implements Scenario {
        private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);
        /** Put on the queue by the reader when the child's output ends. */
        private static final String END_OF_OUTPUT = "\u0000(end of the child's output)";

        @Override
        public String name() {
            return "tx-kill";
        }

        @Override
        public String title() {
            return "A three-file transaction killed mid-commit (kill -9) is finished by recovery: all three new";
        }

        @Override
        public String invariants() {
            return "F4 F3";
        }

        @Override
        public void run(Report r) throws Exception {
            Path dir = Files.createTempDirectory("cancelkit-tour-tx");
            Process child = null;
            Thread reader = null;
            try {
                for (String name : TX_FILES) {
                    AtomicFiles.writeString(dir.resolve(name), content(name, 1));
                }
                List<String> command = childCommand(dir, 2);
                r.say("started a child JVM (" + (command.contains("-m") ? "module path" : "class path")
                        + "): cancelkit tx-child " + dir.getFileName() + " 2 (a transaction writing "
                        + String.join(", ", TX_FILES) + " at version 2, which pauses after its first rename)");
                child = new ProcessBuilder(command).redirectErrorStream(true).start();
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                List<String> childOutput = new ArrayList<>();
                Process p = child;
                reader = Thread.ofVirtual().name("tx-child-output").start(() -> {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                        for (String line; (line = in.readLine()) != null; ) {
                            lines.add(line);
                        }
                    } catch (IOException e) {
                        lines.add("(reading the child's output failed: " + e + ")");
                    }
                    lines.add(END_OF_OUTPUT);
                });
                boolean paused = awaitLine(lines, "PAUSED", childOutput);
                if (!r.check("the child reached the pause after its first rename within " + CHILD_TIMEOUT.toSeconds() + " s",
                        paused)) {
                    r.say("the child said: " + childOutput + (child.isAlive() ? "" : " and exited with " + child.exitValue()));
                    return;
                }
                List<Integer> mid = versions(dir);
                r.say("mid-commit on disk: " + describe(mid) + "; cancelkit files: " + cancelkitNames(dir));
                r.check("a reader without the lock sees a mix: 1 new, 2 old", mid.equals(List.of(2, 1, 1)));

                long start = System.nanoTime();
                child.toHandle().destroyForcibly();
                boolean ended = child.waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                r.say("killed the child (SIGKILL): " + (ended ? "it ended with exit code " + child.exitValue() : "it did not end")
                        + " after " + Report.since(start));
                if (!r.check("the child was killed mid-commit", ended && child.exitValue() != 0)) {
                    return;
                }
                r.say("after the kill: " + describe(versions(dir)) + "; cancelkit files: " + cancelkitNames(dir));

                RecoveryReport recovery = AtomicFiles.recover(dir);
                r.say("AtomicFiles.recover(dir): " + recovery);
                List<Integer> after = versions(dir);
                r.say("after recovery: " + describe(after) + "; cancelkit files: " + cancelkitNames(dir));
                r.check("F4: recovery rolled the committed transaction forward: all three files are new",
                        after.equals(List.of(2, 2, 2)));
                r.check("F3: no temporary file or transaction record is left, only .cancelkit.lock", leftovers(dir).isEmpty());
                r.check("the dead child's lock was taken over", recovery.staleLockOwner().isPresent());
                boolean nothingMore;
                try (FileTransaction next = FileTransaction.begin(dir)) {
                    nothingMore = next.recovery().changedNothing();
                    next.commit();
                }
                r.check("the next FileTransaction.begin(dir) finds nothing more to recover", nothingMore);
            } finally {
                if (child != null) {
                    child.toHandle().destroyForcibly();
                    if (!child.waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                        r.check("the child ended", false);
                    }
                }
                if (reader != null && !reader.join(Duration.ofSeconds(10))) {
                    r.check("the child's output was read to its end", false);
                }
                deleteTree(dir);
            }
        }

        /** Waits for {@code wanted}, collecting what the child said; false on a timeout or the child's exit. */
        private static boolean awaitLine(BlockingQueue<String> lines, String wanted, List<String> seen)
                throws InterruptedException {
            long deadline = System.nanoTime() + CHILD_TIMEOUT.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                String line = lines.poll(left, TimeUnit.NANOSECONDS); // InterruptedException: the tour stops
                if (line == null || line.equals(END_OF_OUTPUT)) {
                    return false; // timed out, or the child closed its output (it exited): fail at once
                }
                seen.add(line);
                if (line.strip().equals(wanted)) {
                    return true;
                }
            }
        }

        /**
         * This JVM's launcher and module path (from ./cancelkit or Surefire), running the cli's hidden
         * {@code tx-child} command; the class path and the main class when there is no module path.
         */
        private static List<String> childCommand(Path dir, int version) {
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto"));
            String modulePath = System.getProperty("jdk.module.path");
            if (modulePath != null && !modulePath.isBlank()) {
                command.addAll(List.of("-p", modulePath, "-m", "org.cancelkit.cli/" + Main.class.getName()));
            } else {
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
            }
            command.addAll(List.of("tx-child", dir.toString(), Integer.toString(version)));
            return command;
        }

        private static List<Integer> versions(Path dir) throws IOException {
            List<Integer> versions = new ArrayList<>();
            for (String name : TX_FILES) {
                String text = Files.readString(dir.resolve(name));
                versions.add(text.equals(content(name, 2)) ? 2 : text.equals(content(name, 1)) ? 1 : -1);
            }
            return versions;
        }

        private static String describe(List<Integer> versions) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < TX_FILES.size(); i++) {
                int v = versions.get(i);
                parts.add(TX_FILES.get(i) + " " + (v == 2 ? "new" : v == 1 ? "old" : "TORN"));
            }
            return String.join(", ", parts);
        }
    }

    /**
     * {@code cancelkit tx-child <dir> <version>}: the child of the tx-kill scenario. Commits a
     * transaction of the three files and, after the first target is replaced, prints {@code PAUSED} and
     * blocks reading its standard input until it is killed.
     */
    @Command(name = "tx-child", hidden = true,
            description = "Commits a three-file transaction that pauses after its first rename (for the tour).")
    static final class TxChildCommand implements Callable<Integer> {
        @Parameters(index = "0", description = "the directory")
        @Nullable Path dir;

        @Parameters(index = "1", description = "the version to write")
        int version;

        @Override
        public Integer call() throws IOException {
            Path d = java.util.Objects.requireNonNull(dir, "dir");
            AtomicInteger replaced = new AtomicInteger();
            FileOptions pauseAfterFirstRename = FileOptions.defaults().withStepListener(s -> {
                if (s == CommitStep.TARGET_REPLACED && replaced.incrementAndGet() == 1) {
                    System.out.println("PAUSED");
                    System.out.flush();
                    try {
                        System.in.read(); // wait here to be killed; end of input (the parent died): go on
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            try (FileTransaction tx = FileTransaction.begin(d, pauseAfterFirstRename)) {
                for (String name : TX_FILES) {
                    tx.writeString(name, content(name, version));
                }
                tx.commit();
            }
            System.out.println("DONE");
            return 0;
        }
    }

    static String content(String name, int version) {
        return "# " + name + ", version " + version + "\n" + ("setting-" + version + "\n").repeat(200);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> cancelkitNames(Path dir) throws IOException {
        return names(dir).stream().filter(n -> n.contains(".cancelkit")).toList();
    }

    /** cancelkit's temporary files and transaction records; the lock file stays by design. */
    private static List<String> leftovers(Path dir) throws IOException {
        return cancelkitNames(dir).stream().filter(n -> !n.equals(".cancelkit.lock")).toList();
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
