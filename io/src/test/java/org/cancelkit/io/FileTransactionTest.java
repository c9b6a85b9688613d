package org.cancelkit.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.cancelkit.CancelledException;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationSource;
import org.cancelkit.testkit.VirtualClock;
import org.cancelkit.io.internal.OwnerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transaction's contract, one behaviour at a time (F4, C6, the lock). */
class FileTransactionTest {
    @TempDir
    Path dir;

    private void old() throws IOException {
        Files.writeString(dir.resolve("a"), "old a");
        Files.writeString(dir.resolve("b"), "old b");
    }

    @Test
    void commitReplacesAllFiles_F4() throws IOException {
        old();
        List<CommitStep> steps = new ArrayList<>();
        try (FileTransaction tx = FileTransaction.begin(dir, FileOptions.defaults().withStepListener(steps::add))) {
            tx.writeString("a", "new a");
            tx.write("b", "new b".getBytes(UTF_8));
            tx.write("c", out -> out.write("new c".getBytes(UTF_8)));
            assertThat(dir.resolve("a")).hasContent("old a");
            assertThat(tx.files()).containsExactly("a", "b", "c");
            tx.commit();
            assertThat(tx.isCommitted()).isTrue();
        }
        assertThat(dir.resolve("a")).hasContent("new a");
        assertThat(dir.resolve("b")).hasContent("new b");
        assertThat(dir.resolve("c")).hasContent("new c");
        assertThat(TestFiles.names(dir)).containsExactly(".cancelkit.lock", "a", "b", "c");
        assertThat(steps).containsExactly(CommitStep.TEMP_WRITTEN, CommitStep.TEMP_WRITTEN, CommitStep.TEMP_WRITTEN,
                CommitStep.INTENT_WRITTEN, CommitStep.INTENT_DURABLE, CommitStep.COMMIT_RENAMED, CommitStep.COMMITTED,
                CommitStep.TARGET_REPLACED, CommitStep.TARGET_REPLACED, CommitStep.TARGET_REPLACED,
                CommitStep.TARGETS_DURABLE, CommitStep.RECORD_DELETED, CommitStep.FINISHED);
    }

    @Test
    void closeWithoutCommitLeavesEverythingOld_andNothingBehind_F3_F4() throws IOException {
        old();
        try (FileTransaction tx = FileTransaction.begin(dir)) {
            tx.writeString("a", "new a");
            tx.writeString("b", "new b");
            assertThat(TestFiles.leftovers(dir)).hasSize(2);
        }
        assertThat(dir.resolve("a")).hasContent("old a");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
        try (FileTransaction again = FileTransaction.begin(dir, FileOptions.defaults().withLockTimeout(Duration.ZERO))) {
            assertThat(again.recovery().changedNothing()).isTrue(); // the lock was released, and cleanly
        }
    }

    @Test
    void aFailingWriteAbortsTheWholeTransaction() throws IOException {
        old();
        FileTransaction tx = FileTransaction.begin(dir);
        tx.writeString("a", "new a");
        IOException boom = new IOException("the content source failed");
        assertThatThrownBy(() -> tx.write("b", out -> {
            out.write(1);
            throw boom;
        })).isSameAs(boom);
        assertThatThrownBy(() -> tx.writeString("c", "x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("failed").hasCause(boom);
        assertThatThrownBy(tx::commit).isInstanceOf(IllegalStateException.class);
        tx.close();
        assertThat(dir.resolve("a")).hasContent("old a");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
        FileTransaction.begin(dir, FileOptions.defaults().withLockTimeout(Duration.ZERO)).close(); // lock free
    }

    @Test
    void badNamesAreRefused_andTheTransactionStaysUsable() throws IOException {
        try (FileTransaction tx = FileTransaction.begin(dir)) {
            for (String bad : List.of("", "x/y", "..", ".", "../up", ".cancelkit.lock", ".cancelkit-tx-0123.intent",
                    ".a.tx-0123456789abcdef.cancelkit.tmp")) {
                assertThatThrownBy(() -> tx.writeString(bad, "x")).as(bad).isInstanceOf(IllegalArgumentException.class);
            }
            tx.writeString("ok", "x");
            assertThatThrownBy(() -> tx.writeString("ok", "y")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("already written");
            assertThatThrownBy(() -> tx.writeString(null, "y")).hasMessage("name");
            assertThatThrownBy(() -> tx.write("n", (byte[]) null)).hasMessage("content");
            tx.commit();
        }
        assertThat(dir.resolve("ok")).hasContent("x");
        assertThatThrownBy(() -> FileTransaction.begin(dir.resolve("missing"))).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("create it first");
        assertThatThrownBy(() -> FileTransaction.begin(null)).hasMessage("directory");
    }

    @Test
    void cancelledBeforeTheCommitPoint_rollsBack() throws IOException {
        old();
        CancellationSource token = CancellationSource.create();
        FileOptions cancelAtIntent = FileOptions.defaults().withStepListener(s -> {
            if (s == CommitStep.INTENT_DURABLE) {
                token.cancel("changed my mind");
            }
        });
        assertThatThrownBy(() -> token.run(() -> {
            try (FileTransaction tx = FileTransaction.begin(dir, cancelAtIntent)) {
                tx.writeString("a", "new a");
                tx.writeString("b", "new b");
                tx.commit();
            }
        })).isInstanceOf(CancelledException.class);
        assertThat(dir.resolve("a")).hasContent("old a");
        assertThat(dir.resolve("b")).hasContent("old b");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void cancelledAfterTheCommitPoint_finishes_andReportsSuccess() throws IOException {
        old();
        CancellationSource token = CancellationSource.create();
        FileOptions cancelWhenCommitted = FileOptions.defaults().withStepListener(s -> {
            if (s == CommitStep.COMMITTED) {
                token.cancel("too late");
            }
        });
        token.run(() -> {
            try (FileTransaction tx = FileTransaction.begin(dir, cancelWhenCommitted)) {
                tx.writeString("a", "new a");
                tx.writeString("b", "new b");
                tx.commit(); // returns normally
            }
            assertThatThrownBy(Cancellation::check).isInstanceOf(CancelledException.class);
        });
        assertThat(dir.resolve("a")).hasContent("new a");
        assertThat(dir.resolve("b")).hasContent("new b");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void anotherThreadWaitsForTheLock_onTheVirtualClock() throws Exception {
        VirtualClock clock = VirtualClock.create();
        FileTransaction first = FileTransaction.begin(dir);
        assertThatThrownBy(() -> FileTransaction.begin(dir, FileOptions.defaults().withLockTimeout(Duration.ZERO)))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("another thread of this process");
        AtomicReference<Object> second = new AtomicReference<>();
        Thread waiter = Thread.ofVirtual().start(() -> clock.run(() -> {
            try (FileTransaction tx = FileTransaction.begin(dir, FileOptions.defaults()
                    .withLockTimeout(Duration.ofHours(1)))) {
                tx.writeString("b", "second");
                tx.commit();
                second.set("committed");
            } catch (IOException e) {
                second.set(e);
            }
        }));
        clock.awaitParked(1);               // the waiter is in its back-off sleep
        first.writeString("a", "first");
        first.commit();                     // releases the lock
        assertThat(second.get()).isNull();
        clock.advance(Duration.ofMillis(50)); // wakes the waiter, which now takes the lock
        waiter.join();
        assertThat(second.get()).isEqualTo("committed");
        assertThat(dir.resolve("a")).hasContent("first");
        assertThat(dir.resolve("b")).hasContent("second");
    }

    @Test
    void aLockRecordOfADeadProcessIsTakenOver_andReported() throws IOException {
        byte[] dead = new OwnerId(999_999_999L, OwnerId.current().bootId(), 0).encode();
        Files.write(dir.resolve(".cancelkit.lock"), dead);
        try (FileTransaction tx = FileTransaction.begin(dir)) {
            assertThat(tx.recovery().staleLockOwner()).hasValueSatisfying(o -> assertThat(o).contains("pid 999999999"));
        }
        Files.write(dir.resolve(".cancelkit.lock"), new OwnerId(1, "another-boot", 0).encode());
        assertThat(AtomicFiles.recover(dir).staleLockOwner()).hasValueSatisfying(o -> assertThat(o).contains("pid 1 "));
    }

    /** A record naming a live process under a free OS lock: refused, never broken, never overwritten. */
    @Test
    void aLockRecordOfALiveProcessIsNeverBroken() throws IOException {
        ProcessHandle parent = ProcessHandle.current().parent().orElseThrow();
        long start = parent.info().startInstant().orElseThrow().toEpochMilli();
        byte[] live = new OwnerId(parent.pid(), OwnerId.current().bootId(), start).encode();
        Files.write(dir.resolve(".cancelkit.lock"), live);
        assertThatThrownBy(() -> FileTransaction.begin(dir)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("live owner").hasMessageContaining("pid " + parent.pid());
        assertThat(Files.readAllBytes(dir.resolve(".cancelkit.lock"))).isEqualTo(live);
        // negative control: the same process, recorded with another start time, is a reused pid: stale
        Files.write(dir.resolve(".cancelkit.lock"), new OwnerId(parent.pid(), OwnerId.current().bootId(),
                start - 3_600_000).encode());
        FileTransaction.begin(dir).close();
    }

    @Test
    void anEmptyTransactionCommitsNothing() throws IOException {
        try (FileTransaction tx = FileTransaction.begin(dir)) {
            tx.commit();
        }
        assertThat(TestFiles.names(dir)).containsExactly(".cancelkit.lock");
    }
}
