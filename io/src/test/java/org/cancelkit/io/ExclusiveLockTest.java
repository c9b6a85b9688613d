package org.cancelkit.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cancelkit.io.internal.TempNames;
import org.cancelkit.testkit.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one lock of the library (issue 13, item 4): a refused second attempt in this process never
 * releases the first holder's lock, so another process stays excluded; a busy lock names its holder.
 * Other processes are child JVMs ({@link LockChild}).
 */
class ExclusiveLockTest {
    /** The io module, for the child JVM's class path (the core is always there). */
    private static final List<Class<?>> CHILD_CLASSES = List.of(AtomicFileWriter.class);

    @TempDir
    Path dir;

    private ChildJvm child(String... args) throws IOException {
        return ChildJvm.start(dir.resolve("logs"), LockChild.class, CHILD_CLASSES, args);
    }

    @Test
    void aRefusedSecondAttemptInThisProcess_leavesOtherProcessesExcluded() throws Exception {
        Path file = dir.resolve("job.lock");
        try (ExclusiveLock held = ExclusiveLock.acquire(file, Duration.ZERO)) {
            for (int i = 0; i < 3; i++) { // each refusal would have closed a descriptor: drop the lock
                assertThatThrownBy(() -> ExclusiveLock.acquire(file, Duration.ZERO))
                        .isInstanceOf(LockHeldException.class)
                        .hasMessageContaining("another thread of this process")
                        .hasMessageContaining(Thread.currentThread().getName());
            }
            try (ChildJvm other = child(file.toString(), "try")) {
                String line = other.await("");
                assertThat(line).as("another process after refusals here").startsWith("BUSY ")
                        .contains("pid " + ProcessHandle.current().pid());
                assertThat(other.waitFor()).isZero();
            }
            assertThat(held.file()).isEqualTo(file);
        }
        // negative control: released, the other process gets it
        try (ChildJvm other = child(file.toString(), "try")) {
            assertThat(other.await("")).startsWith("ACQUIRED ");
        }
    }

    @Test
    void aLockHeldByAnotherProcess_namesItsPid_andIsFreeWhenItDies() throws Exception {
        Path file = dir.resolve("job.lock");
        try (ChildJvm holder = child(file.toString(), "hold")) {
            long pid = Long.parseLong(holder.await("ACQUIRED ").substring(9));
            LockHeldException e = org.junit.jupiter.api.Assertions.assertThrows(LockHeldException.class,
                    () -> ExclusiveLock.acquire(file, Duration.ZERO));
            assertThat(e.holder()).contains("pid " + pid);
            assertThat(e).hasMessageContaining(file.toString()).hasMessageContaining("pid " + pid);
            holder.kill();
            try (ExclusiveLock taken = ExclusiveLock.acquire(file, Duration.ZERO)) {
                assertThat(taken.staleOwner()).hasValueSatisfying(o -> assertThat(o).contains("pid " + pid));
            }
        }
    }

    @Test
    void theDirectoryLock_excludesTransactionsAndRecovery() throws IOException {
        FileOptions noWait = FileOptions.defaults().withLockTimeout(Duration.ZERO);
        try (ExclusiveLock lock = ExclusiveLock.onDirectory(dir, Duration.ZERO)) {
            assertThat(lock.file()).isEqualTo(dir.resolve(TempNames.LOCK));
            assertThatThrownBy(() -> FileTransaction.begin(dir, noWait)).isInstanceOf(LockHeldException.class);
            assertThatThrownBy(() -> AtomicFiles.recover(dir, noWait)).isInstanceOf(LockHeldException.class);
        }
        try (FileTransaction tx = FileTransaction.begin(dir, noWait)) {
            assertThatThrownBy(() -> ExclusiveLock.onDirectory(dir, Duration.ZERO))
                    .isInstanceOf(LockHeldException.class).hasMessageContaining("transaction or recovery");
            tx.abort();
        }
    }

    @Test
    void closeIsIdempotent_andTheLockCanBeTakenAgain() throws IOException {
        Path file = dir.resolve("a.lock");
        ExclusiveLock first = ExclusiveLock.acquire(file, Duration.ZERO);
        first.close();
        try (ExclusiveLock second = ExclusiveLock.acquire(file, Duration.ZERO)) {
            first.close(); // a second close of the first must not release the second
            assertThatThrownBy(() -> ExclusiveLock.acquire(file, Duration.ZERO)).isInstanceOf(LockHeldException.class);
            assertThat(second.staleOwner()).isEmpty();
        }
    }

    @Test
    void aLinkedOrHardLinkedLockFile_isRefused_andWhatItPointsToIsUntouched() throws IOException {
        Path victim = Files.writeString(dir.resolve("victim"), "victim");
        Path link = Files.createSymbolicLink(dir.resolve("link.lock"), victim);
        assertThatThrownBy(() -> ExclusiveLock.acquire(link, Duration.ZERO)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("symbolic link");
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.lock"), dir.resolve("created-elsewhere"));
        assertThatThrownBy(() -> ExclusiveLock.acquire(dangling, Duration.ZERO))
                .hasMessageContaining("symbolic link");
        assertThat(dir.resolve("created-elsewhere")).doesNotExist();
        Path hard = Files.createLink(dir.resolve("hard.lock"), victim);
        assertThatThrownBy(() -> ExclusiveLock.acquire(hard, Duration.ZERO)).hasMessageContaining("hard links");
        assertThat(victim).hasContent("victim");
    }

    @Test
    void badArguments() {
        assertThatThrownBy(() -> ExclusiveLock.acquire(null, Duration.ZERO)).hasMessage("lockFile");
        assertThatThrownBy(() -> ExclusiveLock.acquire(dir.resolve("x"), null)).hasMessage("timeout");
        assertThatThrownBy(() -> ExclusiveLock.acquire(dir.resolve("x"), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExclusiveLock.acquire(dir.resolve("missing/x.lock"), Duration.ZERO))
                .isInstanceOf(IOException.class);
    }
}
