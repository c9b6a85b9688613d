package org.cancelkit.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.Timeout;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.io.internal.OwnerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery of leftovers (F3) and the one-call helpers, among them a config write under a timeout. */
class RecoveryAndHelpersTest {
    @TempDir
    Path dir;

    private Path touch(String name) throws IOException {
        return Files.writeString(dir.resolve(name), "x");
    }

    @Test
    void recoverySweepsLeftovers_leavesLiveWritersAndOtherFilesAlone_andIsIdempotent() throws IOException {
        OwnerId me = OwnerId.current();
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        touch(".a.999999999-" + me.bootPrefix() + "-0000abcd.cancelkit.tmp");       // a dead writer
        touch(".b." + parent + "-ffffffff-0000abcd.cancelkit.tmp");                 // another boot
        touch(".c." + me.pid() + "-" + me.bootPrefix() + "-0000abcd.cancelkit.tmp"); // this process, not in use
        touch(".d.tx-0123456789abcdef.cancelkit.tmp");                               // an orphan of a transaction
        Path live = touch(".e." + parent + "-" + me.bootPrefix() + "-0000abcd.cancelkit.tmp"); // a live process
        for (String other : new String[] {"notes.tmp", ".hidden", "a.cancelkit", "data"}) {
            touch(other);
        }
        try (AtomicFileWriter inUse = AtomicFileWriter.open(dir.resolve("f"))) {
            inUse.write(new byte[10]);
            RecoveryReport r = AtomicFiles.recover(dir);
            assertThat(r.tempFilesRemoved()).isEqualTo(4);
            assertThat(r.tempFilesInUse()).isEqualTo(2); // the live process's and ours
            assertThat(inUse.tempFile()).exists();
            inUse.commit();
        }
        assertThat(live).exists();
        assertThat(TestFiles.names(dir)).containsExactlyInAnyOrder(live.getFileName().toString(), ".cancelkit.lock", ".hidden",
                "a.cancelkit", "data", "f", "notes.tmp");
        RecoveryReport again = AtomicFiles.recover(dir);
        assertThat(again.changedNothing()).isTrue();
        assertThat(again.tempFilesInUse()).isEqualTo(1);
    }

    @Test
    void recoveryOfAMissingDirectoryIsAClearError() {
        assertThatThrownBy(() -> AtomicFiles.recover(dir.resolve("nope"))).hasMessageContaining("create it first");
        assertThatThrownBy(() -> AtomicFiles.recover(null)).hasMessage("directory");
    }

    /** Issue 13, item 8a: a linked directory is refused, and the message says it is a link and why. */
    @Test
    void aSymlinkedDirectoryIsRefused_saying_itIsALink() throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api.function.Executable>of(
                () -> AtomicFiles.recover(link), () -> FileTransaction.begin(link),
                () -> AtomicFiles.writeString(link.resolve("f"), "x"))) {
            assertThatThrownBy(call::execute).isInstanceOf(FileSystemException.class)
                    .hasMessageContaining("is a symbolic link").hasMessageContaining("toRealPath")
                    .hasMessageNotContaining("create it first");
        }
        assertThat(TestFiles.names(real)).isEmpty();
        // negative control: the real directory is accepted
        AtomicFiles.writeString(link.toRealPath().resolve("f"), "x");
        assertThat(real.resolve("f")).hasContent("x");
    }

    @Test
    void helpersWriteWholeFiles() throws IOException {
        AtomicFiles.write(dir.resolve("bytes"), new byte[] {1, 2, 3});
        AtomicFiles.writeString(dir.resolve("text"), "héllo");
        AtomicFiles.write(dir.resolve("callback"), out -> out.write("cb".getBytes(UTF_8)));
        assertThat(dir.resolve("bytes")).hasBinaryContent(new byte[] {1, 2, 3});
        assertThat(dir.resolve("text")).hasContent("héllo");
        assertThat(dir.resolve("callback")).hasContent("cb");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }

    @Test
    void aFailingCallbackLeavesTheTargetAsItWas() throws IOException {
        Path target = Files.writeString(dir.resolve("config.json"), "{\"old\":true}");
        IllegalStateException bug = new IllegalStateException("serializer bug");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write("{\"new\":".getBytes(UTF_8));
            throw bug;
        })).isSameAs(bug);
        assertThat(target).hasContent("{\"old\":true}");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }

    @Test
    void strictUtf8_aLoneSurrogateIsAnError() throws IOException {
        Path target = Files.writeString(dir.resolve("t"), "old");
        assertThatThrownBy(() -> AtomicFiles.writeString(target, "bad \uD800 text"))
                .isInstanceOf(CharacterCodingException.class);
        assertThat(target).hasContent("old");
    }

    /** A config write under a timeout: the timeout stops a slow write, and the old config stays. */
    @Test
    void writeConfigWithTimeout_timesOut_oldConfigIntact() throws Exception {
        Path config = Files.writeString(dir.resolve("config.json"), "{\"v\":1}");
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> assertThatThrownBy(() -> AtomicFiles.write(config, out -> {
            out.write("{\"v\":".getBytes(UTF_8));
            clock.advance(Duration.ofSeconds(6)); // a slow serializer: past the 5 s timeout
            out.write("2}".getBytes(UTF_8));
        }, Duration.ofSeconds(5))).isInstanceOf(DeadlineExceededException.class));
        assertThat(config).hasContent("{\"v\":1}");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    /** Negative control: in time, the same write replaces the config. */
    @Test
    void writeConfigWithTimeout_inTime_replaces() throws Exception {
        Path config = Files.writeString(dir.resolve("config.json"), "{\"v\":1}");
        VirtualClock clock = VirtualClock.create();
        clock.run(() -> AtomicFiles.write(config, out -> {
            out.write("{\"v\":".getBytes(UTF_8));
            clock.advance(Duration.ofSeconds(4));
            out.write("2}".getBytes(UTF_8));
        }, Duration.ofSeconds(5)));
        assertThat(config).hasContent("{\"v\":2}");
    }

    /** A deadline that passes after the rename does not turn a replaced file into a failure. */
    @Test
    void aDeadlinePassingAfterTheRename_stillReportsSuccess() throws Exception {
        Path config = Files.writeString(dir.resolve("config.json"), "{\"v\":1}");
        VirtualClock clock = VirtualClock.create();
        FileOptions lateDeadline = FileOptions.defaults().withStepListener(s -> {
            if (s == CommitStep.TARGET_REPLACED) {
                clock.advance(Duration.ofSeconds(10));
            }
        });
        clock.run(() -> Timeout.run(Duration.ofSeconds(5),
                () -> AtomicFiles.write(config, out -> out.write("{\"v\":2}".getBytes(UTF_8)), lateDeadline)));
        assertThat(config).hasContent("{\"v\":2}");
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void helperNullsNameTheParameter() {
        Path p = dir.resolve("x");
        assertThatThrownBy(() -> AtomicFiles.write(null, new byte[0])).hasMessage("target");
        assertThatThrownBy(() -> AtomicFiles.write(p, (byte[]) null)).hasMessage("content");
        assertThatThrownBy(() -> AtomicFiles.writeString(p, null)).hasMessage("text");
        assertThatThrownBy(() -> AtomicFiles.write(p, (FileContent) null)).hasMessage("content");
        assertThatThrownBy(() -> AtomicFiles.write(p, out -> { }, (Duration) null)).hasMessage("timeout");
        assertThatThrownBy(() -> AtomicFiles.write(p, out -> { }, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
