package org.cancelkit.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnmappableCharacterException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.cancelkit.CancelledException;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's contract, one behaviour at a time (F1–F3, C6). */
class AtomicFileWriterTest {
    @TempDir
    Path dir;

    @Test
    void commitReplacesTheWholeFile_F1_F2() throws IOException {
        Path target = dir.resolve("config.json");
        Files.writeString(target, "old");
        try (AtomicFileWriter w = AtomicFileWriter.open(target)) {
            w.write("new content".getBytes(UTF_8));
            assertThat(target).hasContent("old");             // nothing visible before the commit
            assertThat(w.tempFile()).exists().hasParent(dir);
            assertThat(w.tempFile().getFileName().toString()).startsWith(".config.json.").endsWith(".cancelkit.tmp");
            w.commit();
            assertThat(w.isCommitted()).isTrue();
            assertThat(w.size()).isEqualTo(11);
        }
        assertThat(target).hasContent("new content");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }

    @Test
    void closeWithoutCommitRemovesTheTemporaryFile_F3() throws IOException {
        Path target = dir.resolve("a.txt");
        Files.writeString(target, "old");
        Path temp;
        try (AtomicFileWriter w = AtomicFileWriter.open(target)) {
            w.write(new byte[100_000]);
            temp = w.tempFile();
            assertThat(temp).exists();
        }
        assertThat(temp).doesNotExist();
        assertThat(target).hasContent("old");
    }

    @Test
    void abortIsIdempotentAndFinal() throws IOException {
        Path target = dir.resolve("a.txt");
        AtomicFileWriter w = AtomicFileWriter.open(target);
        w.abort();
        w.abort();
        w.close();
        assertThatThrownBy(() -> w.write(new byte[1])).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("aborted");
        assertThat(target).doesNotExist();
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }

    @Test
    void viewsWriteInOrder_andCommitFlushesTheTextView() throws IOException {
        Path target = dir.resolve("mixed.txt");
        try (AtomicFileWriter w = AtomicFileWriter.open(target)) {
            w.write("a".getBytes(UTF_8));
            OutputStream out = w.outputStream();
            out.write('b');
            out.write("cd".getBytes(UTF_8), 1, 1);
            WritableByteChannel ch = w.channel();
            assertThat(ch.write(ByteBuffer.wrap("e".getBytes(UTF_8)))).isEqualTo(1);
            Writer text = w.writer(UTF_8);
            text.write("é…");       // left in the encoder's buffer: commit must flush it
            w.commit();
            assertThat(ch.isOpen()).isFalse();
        }
        assertThat(target).hasContent("abde" + "é…");
    }

    @Test
    void textViewIsStrict() throws IOException {
        Path target = dir.resolve("latin1.txt");
        try (AtomicFileWriter w = AtomicFileWriter.open(target)) {
            Writer text = w.writer(StandardCharsets.ISO_8859_1);
            assertThatThrownBy(() -> text.write("€")).isInstanceOf(UnmappableCharacterException.class);
        }
        assertThat(target).doesNotExist();
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }

    @Test
    void largeWritesAreWhole() throws IOException {
        Path target = dir.resolve("big.bin");
        byte[] big = Versions.content(7, 3 * 1024 * 1024 + 17, 1);
        try (AtomicFileWriter w = AtomicFileWriter.open(target)) {
            w.write(big);
            w.commit();
        }
        assertThat(Versions.parse(Files.readAllBytes(target))).isEqualTo(7L);
    }

    @Test
    void keepsThePermissionsOfTheReplacedFile() throws IOException {
        Path target = dir.resolve("secret.key");
        Files.writeString(target, "old");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        try (AtomicFileWriter w = AtomicFileWriter.open(target)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(w.tempFile())))
                    .isEqualTo("rw-------");                  // from creation: the secret is never more readable
            w.write("new".getBytes(UTF_8));
            w.commit();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-------");
    }

    @Test
    void givesNewFilesTheConfiguredPermissions_exactlyDespiteTheUmask() throws IOException {
        Path target = dir.resolve("new.conf");
        FileOptions options = FileOptions.defaults().withNewFilePermissions(PosixFilePermissions.fromString("rw-rw-rw-"));
        AtomicFiles.write(target, out -> out.write(1), options);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-rw-rw-");
    }

    @Test
    void badTargetsAreRefusedWithClearMessages() throws IOException {
        assertThatThrownBy(() -> AtomicFileWriter.open(dir.resolve("missing/a.txt")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("create it first");
        assertThatThrownBy(() -> AtomicFileWriter.open(dir)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("not a regular file");
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
        assertThatThrownBy(() -> AtomicFileWriter.open(link)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("toRealPath");
        assertThatThrownBy(() -> AtomicFileWriter.open(dir.resolve(".cancelkit.lock")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> AtomicFileWriter.open(dir.resolve(".x.1-2-3.cancelkit.tmp")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TestFiles.names(dir)).containsExactly("link");
    }

    @Test
    void nullsNameTheParameter() throws IOException {
        assertThatThrownBy(() -> AtomicFileWriter.open(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("target");
        assertThatThrownBy(() -> AtomicFileWriter.open(dir.resolve("a"), null)).hasMessage("options");
        try (AtomicFileWriter w = AtomicFileWriter.open(dir.resolve("a"))) {
            assertThatThrownBy(() -> w.write((byte[]) null)).hasMessage("bytes");
            assertThatThrownBy(() -> w.write((ByteBuffer) null)).hasMessage("source");
            assertThatThrownBy(() -> w.writer(null)).hasMessage("charset");
        }
        assertThatThrownBy(() -> FileOptions.defaults().withCleanupBudget(null)).hasMessage("cleanupBudget");
        assertThatThrownBy(() -> FileOptions.defaults().withLockTimeout(java.time.Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be negative");
    }

    @Test
    void commitTwiceIsAnError() throws IOException {
        try (AtomicFileWriter w = AtomicFileWriter.open(dir.resolve("a"))) {
            w.commit();
            assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already committed");
        }
        assertThat(dir.resolve("a")).exists().isEmptyFile();
    }

    @Test
    void closeWithTheInterruptFlagSet_stillRemovesTheTemp_andKeepsTheFlag_C6() throws IOException {
        Path target = dir.resolve("a");
        AtomicFileWriter w = AtomicFileWriter.open(target);
        w.write(new byte[10]);
        Thread.currentThread().interrupt();
        try {
            w.close();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }

    @Test
    void aWriteWithTheInterruptFlagSet_abandonsTheWrite_andKeepsTheFlag() throws IOException {
        Path target = dir.resolve("a");
        Files.writeString(target, "old");
        AtomicFileWriter w = AtomicFileWriter.open(target);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> w.write(new byte[10])).isInstanceOf(java.io.InterruptedIOException.class)
                    .hasMessageContaining("interrupt status is kept");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(target).hasContent("old");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }

    @Test
    void cancelledBeforeTheRename_aborts() throws IOException {
        Path target = dir.resolve("a");
        Files.writeString(target, "old");
        CancellationSource token = CancellationSource.create();
        FileOptions cancelWhenTempIsWritten = FileOptions.defaults().withStepListener(step -> {
            if (step == CommitStep.TEMP_WRITTEN) {
                token.cancel("stop");
            }
        });
        assertThatThrownBy(() -> token.run(() -> AtomicFiles.write(target, out -> out.write(1), cancelWhenTempIsWritten)))
                .isInstanceOf(CancelledException.class);
        assertThat(target).hasContent("old");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void cancelledAfterTheRename_finishesTheDirectorySync_andReportsSuccess() throws IOException {
        Path target = dir.resolve("a");
        Files.writeString(target, "old");
        CancellationSource token = CancellationSource.create();
        FaultyFs fs = new FaultyFs();
        FileOptions cancelAfterRename = FileOptions.defaults().withStepListener(step -> {
            if (step == CommitStep.TARGET_REPLACED) {
                token.cancel("too late"); // the binding interrupts this thread now
            }
        });
        List<String> after = new ArrayList<>();
        token.run(() -> {
            try (AtomicFileWriter w = AtomicFileWriter.open(target, cancelAfterRename, fs)) {
                w.write("new".getBytes(UTF_8));
                w.commit(); // returns normally
                assertThat(w.isCommitted()).isTrue();
                after.addAll(fs.calls().subList(fs.calls().indexOf("rename"), fs.calls().size()));
            }
            assertThatThrownBy(Cancellation::check).isInstanceOf(CancelledException.class); // the cancel stays
        });
        assertThat(after).containsExactly("rename", "syncDirectory");
        assertThat(target).hasContent("new");
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void stepsAreReportedInProtocolOrder() throws IOException {
        List<CommitStep> steps = new ArrayList<>();
        AtomicFiles.write(dir.resolve("a"), out -> out.write(1), FileOptions.defaults().withStepListener(steps::add));
        assertThat(steps).containsExactly(CommitStep.TEMP_WRITTEN, CommitStep.TARGET_REPLACED,
                CommitStep.TARGETS_DURABLE);
    }

    @Test
    void aListenerFailingAfterTheRename_doesNotTurnTheCommitIntoAFailure() throws IOException {
        Path target = dir.resolve("a");
        List<Throwable> uncaught = new ArrayList<>();
        Thread t = Thread.currentThread();
        Thread.UncaughtExceptionHandler saved = t.getUncaughtExceptionHandler();
        t.setUncaughtExceptionHandler((th, e) -> uncaught.add(e));
        try {
            AtomicFiles.write(target, out -> out.write(1), FileOptions.defaults().withStepListener(step -> {
                if (step == CommitStep.TARGETS_DURABLE) {
                    throw new IllegalStateException("listener bug");
                }
            }));
        } finally {
            t.setUncaughtExceptionHandler(saved);
        }
        assertThat(target).exists();
        assertThat(uncaught).singleElement().hasFieldOrPropertyWithValue("message", "listener bug");
    }
}
