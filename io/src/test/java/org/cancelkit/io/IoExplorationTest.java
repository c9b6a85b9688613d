package org.cancelkit.io;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.cancelkit.Cancellation;
import org.cancelkit.CheckedRunnable;
import org.cancelkit.testkit.CancellationExplorer;
import org.cancelkit.testkit.ExplorationReport;
import org.cancelkit.testkit.ExplorationRun;
import org.cancelkit.testkit.Leak;
import org.cancelkit.testkit.Leaks;
import org.cancelkit.testkit.TempFiles;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testkit's {@link CancellationExplorer} on the io module: each public operation is cancelled at
 * every cancellation point in turn (and, separately, failed there with an injected
 * {@link IOException}), and after every run the file invariants are checked:
 * <ul>
 *   <li>F1: every target is its whole old or whole new content ({@link Versions#parse}); a call that
 *       returned normally left the new content. A transaction's files are all old or all new.</li>
 *   <li>F3: no cancelkit temporary file or transaction record is left, only {@code .cancelkit.lock}
 *       ({@link TestFiles#leftovers}).</li>
 * </ul>
 * A negative control (a write in place, with a cancellation point between chunks) shows that the same
 * explorer and the same checks do report a torn file.
 */
class IoExplorationTest {
    private static final byte[] OLD = Versions.content(1, 1_000, 11);
    private static final byte[] NEW = Versions.content(2, 600 * 1024, 11);
    private static final List<String> TX_FILES = List.of("a.conf", "b.conf", "c.conf");
    private static final Supplier<IOException> INJECTED = () -> new IOException("injected");

    @TempDir
    Path dir;

    // ---- the operations ----------------------------------------------------------------------------

    private Path target() {
        return dir.resolve("data.bin");
    }

    private void writeOldTarget() throws IOException {
        clear(dir);
        Files.write(target(), OLD);
    }

    /** AtomicFiles.write of 600 KB: points at the write, every 256 KiB, before the rename. */
    private void atomicFilesWrite() throws IOException {
        AtomicFiles.write(target(), NEW);
    }

    /** AtomicFileWriter.open, five writes of unequal chunks, commit. */
    private void writerWrites() throws IOException {
        try (AtomicFileWriter w = AtomicFileWriter.open(target())) {
            int[] cuts = {0, 10, 70_000, 300_000, 450_000, NEW.length};
            for (int i = 1; i < cuts.length; i++) {
                w.write(Arrays.copyOfRange(NEW, cuts[i - 1], cuts[i]));
            }
            w.commit();
        }
    }

    /** The counter-example: writes the target in place, chunk by chunk, with a point between chunks. */
    private void unsafeWriteInPlace() throws IOException {
        try (FileChannel file = FileChannel.open(target(), CREATE, TRUNCATE_EXISTING, WRITE)) {
            for (int off = 0; off < NEW.length; off += 128 * 1024) {
                Cancellation.check();
                file.write(ByteBuffer.wrap(NEW, off, Math.min(128 * 1024, NEW.length - off)));
            }
            Cancellation.check();
            file.force(true);
        }
    }

    private static byte[] txContent(int version, int file) {
        return Versions.content(version, 40_000 + 1_000 * file, 100 + file);
    }

    private void writeOldTxFiles() throws IOException {
        clear(dir);
        for (int i = 0; i < TX_FILES.size(); i++) {
            Files.write(dir.resolve(TX_FILES.get(i)), txContent(1, i));
        }
    }

    /** FileTransaction.begin, three writes, commit. */
    private void transaction() throws IOException {
        try (FileTransaction tx = FileTransaction.begin(dir)) {
            for (int i = 0; i < TX_FILES.size(); i++) {
                tx.write(TX_FILES.get(i), txContent(2, i));
            }
            tx.commit();
        }
    }

    // ---- the invariants ----------------------------------------------------------------------------

    /** F1 for one target: whole old or whole new; new when the operation returned normally. */
    private CancellationExplorer singleFileChecks(CancellationExplorer explorer) {
        return explorer
                .check("F1: the target is the whole old or the whole new content", () ->
                        assertThat(Versions.parse(Files.readAllBytes(target()))).isIn(1L, 2L))
                .check("F1: a write that returned left the new content", (ExplorationRun run) -> {
                    if (run.completed()) {
                        assertThat(Versions.parse(Files.readAllBytes(target()))).isEqualTo(2L);
                    }
                })
                .check("F3: no temporary file or record is left", () ->
                        assertThat(TestFiles.leftovers(dir)).isEmpty())
                .checkLeaks(Leaks.of(Leak.REGISTRATIONS, Leak.FILE_DESCRIPTORS).withTempFiles(TempFiles.in(dir)));
    }

    /** The version of each transaction file, in order; null for a torn or missing one. */
    private List<@Nullable Long> txVersions() throws IOException {
        List<@Nullable Long> versions = new ArrayList<>();
        for (String name : TX_FILES) {
            Path p = dir.resolve(name);
            versions.add(Files.exists(p) ? Versions.parse(Files.readAllBytes(p)) : null);
        }
        return versions;
    }

    private CancellationExplorer transactionChecks(CancellationExplorer explorer) {
        return explorer
                .check("F1: each file is whole, and the three are all old or all new", () ->
                        assertThat(txVersions()).isIn(List.of(1L, 1L, 1L), List.of(2L, 2L, 2L)))
                .check("F1: a commit that returned left the new files", (ExplorationRun run) -> {
                    if (run.completed()) {
                        assertThat(txVersions()).containsExactly(2L, 2L, 2L);
                    }
                })
                .check("F3: no temporary file or record is left, only the lock", () ->
                        assertThat(TestFiles.leftovers(dir)).isEmpty())
                .checkLeaks(Leaks.of(Leak.REGISTRATIONS, Leak.FILE_DESCRIPTORS).withTempFiles(TempFiles.in(dir)));
    }

    private ExplorationReport exploreSingle(CheckedRunnable<?> op, @Nullable Supplier<? extends Exception> failure) {
        CancellationExplorer explorer = singleFileChecks(CancellationExplorer.explore(op).before(this::writeOldTarget));
        return (failure == null ? explorer : explorer.injecting(failure)).run();
    }

    private ExplorationReport exploreTransaction(@Nullable Supplier<? extends Exception> failure) {
        CancellationExplorer explorer = transactionChecks(
                CancellationExplorer.explore(this::transaction).before(this::writeOldTxFiles));
        return (failure == null ? explorer : explorer.injecting(failure)).run();
    }

    // ---- single files ------------------------------------------------------------------------------

    @Test
    void atomicFilesWrite_600KB_F1_F3_atEveryPoint() {
        ExplorationReport report = exploreSingle(this::atomicFilesWrite, null);
        assertThat(report.points()).as(report.toString()).isGreaterThanOrEqualTo(3); // write, 256 KiB, 512 KiB, rename
        report.assertAllHeld();
    }

    @Test
    void atomicFilesWrite_600KB_F1_F3_withAnIoErrorAtEveryPoint() {
        exploreSingle(this::atomicFilesWrite, INJECTED).assertAllHeld();
    }

    @Test
    void writerOpenWritesCommit_F1_F3_atEveryPoint() {
        ExplorationReport report = exploreSingle(this::writerWrites, null);
        assertThat(report.points()).as(report.toString()).isGreaterThanOrEqualTo(6); // five writes, the rename
        report.assertAllHeld();
    }

    @Test
    void writerOpenWritesCommit_F1_F3_withAnIoErrorAtEveryPoint() {
        exploreSingle(this::writerWrites, INJECTED).assertAllHeld();
    }

    /** Negative control: the same explorer and checks catch a write in place. */
    @Test
    void negativeControl_aWriteInPlaceIsReportedTorn() {
        ExplorationReport report = exploreSingle(this::unsafeWriteInPlace, null);
        assertThat(report.points()).isEqualTo(6); // five chunks of 128 KiB, then the sync
        assertThat(report.allHeld()).isFalse();
        // Cancelled before the first chunk: empty; between chunks: a torn prefix. Only the last point
        // (all bytes written, not yet synced) leaves a whole file.
        assertThat(report.brokenPoints()).containsExactly(1, 2, 3, 4, 5);
        assertThatThrownBy(report::assertAllHeld)
                .hasMessageContaining("F1: the target is the whole old or the whole new content");
    }

    // ---- transactions ------------------------------------------------------------------------------

    @Test
    void transactionOfThreeFiles_F1_F3_atEveryPoint() {
        ExplorationReport report = exploreTransaction(null);
        assertThat(report.points()).as(report.toString()).isGreaterThanOrEqualTo(4);
        report.assertAllHeld();
    }

    @Test
    void transactionOfThreeFiles_F1_F3_withAnIoErrorAtEveryPoint() {
        exploreTransaction(INJECTED).assertAllHeld();
    }

    // ---- recovery ----------------------------------------------------------------------------------

    /**
     * Leftovers of a crash in the apply phase of a committed transaction (a.conf replaced, b.conf and
     * c.conf not yet: a mix on disk, their temporary files and the committed record still there), plus
     * a dead writer's temporary file; made once, then copied into place before every run.
     */
    private Map<String, byte[]> crashLeftovers(Path scratch) throws IOException {
        Files.createDirectories(scratch);
        for (int i = 0; i < TX_FILES.size(); i++) {
            Files.write(scratch.resolve(TX_FILES.get(i)), txContent(1, i));
        }
        AtomicBoolean replacedOne = new AtomicBoolean();
        FaultyFs fs = new FaultyFs().hook((i, op, p) -> {
            if (replacedOne.get() && op.equals("rename")) {
                throw new IOException("the process died here");
            }
        });
        FileOptions options = FileOptions.defaults().withStepListener(s -> {
            if (s == CommitStep.TARGET_REPLACED) {
                replacedOne.set(true);
            }
        });
        try (FileTransaction tx = FileTransaction.begin(scratch, options, fs)) {
            for (int i = 0; i < TX_FILES.size(); i++) {
                tx.write(TX_FILES.get(i), txContent(2, i));
            }
            assertThatThrownBy(tx::commit).isInstanceOf(IncompleteCommitException.class);
        }
        Files.write(scratch.resolve(".notes.txt.999999999-ffffffff-0000abcd.cancelkit.tmp"), new byte[] {1, 2, 3});
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : TestFiles.names(scratch)) {
            files.put(name, Files.readAllBytes(scratch.resolve(name)));
        }
        return files;
    }

    @Test
    void recoverOfACrashedTransaction_F1_F3_atEveryPoint() throws IOException {
        Path work = Files.createDirectory(dir.resolve("work"));
        Map<String, byte[]> leftovers = crashLeftovers(dir.resolve("scratch"));
        assertThat(TestFiles.leftovers(new ArrayList<>(leftovers.keySet()))).hasSizeGreaterThanOrEqualTo(3);
        for (Supplier<IOException> failure : Arrays.asList(null, INJECTED)) {
            CancellationExplorer explorer = CancellationExplorer.explore(() -> AtomicFiles.recover(work))
                    .before(() -> {
                        clear(work);
                        for (Map.Entry<String, byte[]> e : leftovers.entrySet()) {
                            Files.write(work.resolve(e.getKey()), e.getValue());
                        }
                    })
                    .check("F1: each file is whole", () -> {
                        for (String name : TX_FILES) {
                            assertThat(Versions.parse(Files.readAllBytes(work.resolve(name)))).as(name).isIn(1L, 2L);
                        }
                    })
                    .check("F3: a recovery that returned left nothing but the lock, and the files new", (ExplorationRun run) -> {
                        if (run.completed()) {
                            assertThat(TestFiles.leftovers(work)).isEmpty();
                            assertThat(versionsIn(work)).containsExactly(2L, 2L, 2L);
                        }
                    })
                    .check("F3: a stopped recovery is finished by the next one", () -> {
                        AtomicFiles.recover(work);
                        assertThat(TestFiles.leftovers(work)).isEmpty();
                        assertThat(versionsIn(work)).containsExactly(2L, 2L, 2L);
                    })
                    .checkLeaks(Leaks.of(Leak.REGISTRATIONS, Leak.FILE_DESCRIPTORS));
            ExplorationReport report = (failure == null ? explorer : explorer.injecting(failure)).run();
            assertThat(report.points()).as(report.toString()).isPositive();
            report.assertAllHeld();
        }
    }

    private static List<@Nullable Long> versionsIn(Path d) throws IOException {
        List<@Nullable Long> versions = new ArrayList<>();
        for (String name : TX_FILES) {
            versions.add(Versions.parse(Files.readAllBytes(d.resolve(name))));
        }
        return versions;
    }

    /** Removes every regular file directly in {@code d}: the state a run starts from is written anew. */
    private static void clear(Path d) throws IOException {
        for (String name : TestFiles.names(d)) {
            Path p = d.resolve(name);
            if (Files.isRegularFile(p)) {
                Files.delete(p);
            }
        }
    }
}
