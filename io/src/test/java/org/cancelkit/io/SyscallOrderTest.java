package org.cancelkit.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cancelkit.io.internal.RealFileOps;
import org.cancelkit.io.internal.Replacement;
import org.cancelkit.testkit.ChildJvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system calls of a replace, as the kernel sees them (TESTING.md, "Syscall order"): under
 * {@code strace}, where it is installed and allowed, every commit does write(tmp) &lt; fsync(tmp) &lt;
 * rename(tmp, target) &lt; open(dir) &lt; fsync(dir). And a rename that cannot be atomic fails, never
 * degrading to a copy.
 */
class SyscallOrderTest {
    private static final Pattern CALL = Pattern.compile("^(\\w+)\\((.*)\\)\\s+=\\s+(-?\\d+).*$");

    @TempDir
    Path dir;

    @Test
    void everyCommitWritesSyncsRenamesAndSyncsTheDirectory_underStrace_F2() throws Exception {
        String why = Mounts.run("strace", "-f", "-qq", "-o", "/dev/null", "true");
        if (why != null) {
            System.out.println("[syscall order] skipped: strace is not usable here: " + why);
            Assumptions.abort("strace is not usable here: " + why);
        }
        Path target = dir.resolve("state.bin");
        Path traces = Files.createDirectories(dir.resolve("trace"));
        List<String> command = new ArrayList<>(List.of("strace", "-f", "-qq", "-ff", "-o", traces.resolve("t").toString(),
                "-e", "trace=open,openat,write,writev,pwrite64,fsync,fdatasync,rename,renameat,renameat2,close",
                ChildJvm.java(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                ChildJvm.classPath(ReplaceLoop.class, List.of(AtomicFileWriter.class)), ReplaceLoop.class.getName(),
                target.toString(), "0", "1", "3"));
        String failed = Mounts.run(command.toArray(String[]::new));
        assertThat(failed).isNull();
        List<Call> calls = null;
        try (Stream<Path> files = Files.list(traces)) {
            for (Path f : files.toList()) {
                List<Call> c = parse(Files.readAllLines(f));
                if (c.stream().anyMatch(x -> x.name.startsWith("rename") && x.args.contains(target.toString()))) {
                    calls = c; // the thread that did the replaces
                }
            }
        }
        assertThat(calls).as("a traced thread renamed over the target").isNotNull();
        List<String> problems = check(calls, target);
        assertThat(problems).isEmpty();
        System.out.println("[syscall order] 3 commits under strace: write(tmp) < fsync(tmp) < rename < open(dir) "
                + "< fsync(dir) every time");

        // negative controls: the checker finds a missing directory sync, and a missing file sync
        assertThat(check(dropFsyncs(calls, target, true), target)).isNotEmpty();
        assertThat(check(dropFsyncs(calls, target, false), target)).isNotEmpty();
    }

    record Call(int index, String name, String args, long result) {
        long fd() {
            int comma = args.indexOf(',');
            try {
                return Long.parseLong((comma < 0 ? args : args.substring(0, comma)).trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    private static List<Call> parse(List<String> lines) {
        List<Call> calls = new ArrayList<>();
        for (String line : lines) {
            Matcher m = CALL.matcher(line);
            if (m.matches()) {
                calls.add(new Call(calls.size(), m.group(1), m.group(2), Long.parseLong(m.group(3))));
            }
        }
        return calls;
    }

    /** The trace without the directory fsyncs (those right after opening the directory), or without the others. */
    private static List<Call> dropFsyncs(List<Call> calls, Path target, boolean directory) {
        String dirArg = "\"" + target.getParent() + "\",";
        List<Call> out = new ArrayList<>();
        boolean afterDirOpen = false;
        for (Call c : calls) {
            if (c.name.startsWith("open") && c.args.contains(dirArg)) {
                afterDirOpen = true;
            } else if (c.name.equals("fsync")) {
                boolean isDirSync = afterDirOpen;
                afterDirOpen = false;
                if (isDirSync == directory) {
                    continue;
                }
            }
            out.add(c);
        }
        return out;
    }

    /** Checks each commit's order; returns what is wrong. */
    static List<String> check(List<Call> calls, Path target) {
        List<String> problems = new ArrayList<>();
        int commits = 0;
        int tempOpen = -1;
        long tempFd = -1;
        int lastWrite = -1;
        int tempSync = -1;
        int rename = -1;
        int dirOpen = -1;
        long dirFd = -1;
        String dirArg = "\"" + target.getParent() + "\"";
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            if (c.name.startsWith("open") && c.args.contains(".cancelkit.tmp") && c.args.contains("O_CREAT")) {
                tempOpen = i;
                tempFd = c.result;
                lastWrite = tempSync = rename = dirOpen = -1;
            } else if (c.name.startsWith("open") && c.args.contains(dirArg + ",") && rename >= 0) {
                dirOpen = i;
                dirFd = c.result;
            } else if (c.name.matches("write|writev|pwrite64") && c.fd() == tempFd && tempOpen >= 0) {
                lastWrite = i;
                if (tempSync >= 0) {
                    problems.add("a write to the temporary file after its fsync, at call " + i);
                }
            } else if (c.name.equals("fsync") && c.fd() == tempFd && tempOpen >= 0 && rename < 0) {
                tempSync = i;
            } else if (c.name.startsWith("rename") && c.args.contains("\"" + target + "\"")) {
                rename = i;
                if (lastWrite < 0 || tempSync < lastWrite) {
                    problems.add("commit " + commits + ": renamed without an fsync after the last write");
                }
            } else if (c.name.equals("fsync") && c.fd() == dirFd && dirOpen > rename && rename >= 0) {
                commits++;
                tempOpen = -1;
                tempFd = dirFd = -1;
                rename = -1;
            }
        }
        if (rename >= 0) {
            problems.add("commit " + commits + ": renamed, but the directory was not opened and synced after it");
        }
        if (commits != 3 && problems.isEmpty()) {
            problems.add("expected 3 complete commits, saw " + commits);
        }
        return problems;
    }

    /** A rename across file systems fails with AtomicMoveNotSupportedException; nothing is copied. */
    @Test
    void aRenameAcrossFileSystemsFails_neverCopies() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm) || Files.getFileStore(shm).equals(Files.getFileStore(dir))) {
            System.out.println("[syscall order] cross-file-system test skipped: no second file system at /dev/shm");
            Assumptions.abort("no second file system at /dev/shm");
        }
        Path target = Files.writeString(dir.resolve("config"), "old");
        Path temp = Files.createTempDirectory(shm, "cancelkit-").resolve(".config.1-2-3.cancelkit.tmp");
        Replacement r = Replacement.open(RealFileOps.INSTANCE, target, temp, FileOptions.defaults(), false);
        r.write(java.nio.ByteBuffer.wrap("new".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThatThrownBy(r::commit).isInstanceOf(AtomicMoveNotSupportedException.class)
                .hasMessageContaining("refuses to fall back to a copy");
        assertThat(target).hasContent("old");
        assertThat(temp).doesNotExist();
        Files.delete(temp.getParent());
    }

    /** A bind-mounted target (a container's config file) cannot be renamed over: a clear error, no copy. */
    @Test
    void aBindMountedTargetFailsClearly() throws IOException {
        Path source = Files.writeString(Files.createTempFile("cancelkit-bind-", ".src"), "mounted");
        Path target = Files.writeString(dir.resolve("config"), "old");
        String why = Mounts.bind(source, target);
        if (why != null) {
            Files.delete(source);
            System.out.println("[syscall order] bind-mount test skipped: " + why);
            Assumptions.abort(why);
        }
        try {
            assertThatThrownBy(() -> AtomicFiles.writeString(target, "new")).isInstanceOf(FileSystemException.class)
                    .hasMessageContaining("mount point");
            assertThat(target).hasContent("mounted");
            assertThat(TestFiles.leftovers(dir)).isEmpty();
        } finally {
            Mounts.unmount(target);
            Files.delete(source);
        }
    }
}
