package org.cancelkit.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real disk full (TESTING.md): a 1 MiB tmpfs, mounted where the machine allows it (skipped with a
 * printed reason where it does not). Pass: the write fails with "No space left on device", the target
 * is unchanged, the temporary file is removed and its space returned; a transaction that does not fit
 * leaves all of its files old; a write that fits then succeeds.
 */
class DiskFullTest {
    private Path mount;
    private boolean mounted;

    @BeforeEach
    void mountASmallTmpfs() throws IOException {
        mount = Files.createTempDirectory("cancelkit-diskfull-");
        String why = Mounts.tmpfs(mount, "1m");
        if (why != null) {
            System.out.println("[disk full] skipped: cannot mount a small tmpfs here: " + why);
            Assumptions.abort("cannot mount a small tmpfs here: " + why);
        }
        mounted = true;
    }

    @AfterEach
    void unmount() throws IOException {
        if (mounted) {
            Mounts.unmount(mount);
        }
        Files.deleteIfExists(mount);
    }

    private long free() throws IOException {
        return Files.getFileStore(mount).getUsableSpace();
    }

    @Test
    void realDiskFull_writerFails_targetUnchanged_spaceReturned_F1_F3() throws IOException {
        Path target = mount.resolve("config.bin");
        byte[] old = Versions.content(1, 100_000, 1);
        AtomicFiles.write(target, old);
        long before = free();
        assertThatThrownBy(() -> AtomicFiles.write(target, Versions.content(2, 2 * 1024 * 1024, 1)))
                .isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
        assertThat(target).hasBinaryContent(old);
        assertThat(TestFiles.leftovers(mount)).isEmpty();
        assertThat(free()).as("space returned").isEqualTo(before);
        byte[] fits = Versions.content(3, 300_000, 1);
        AtomicFiles.write(target, fits);
        assertThat(target).hasBinaryContent(fits);
        System.out.println("[disk full] 1 MiB tmpfs: a 2 MiB write failed with ENOSPC, target unchanged, "
                + before + " bytes free before and after, then a 300 KB write succeeded");
    }

    @Test
    void realDiskFull_transactionFails_allOld_nothingLeft_F4() throws IOException {
        String[] files = {"a", "b", "c"};
        for (int i = 0; i < files.length; i++) {
            AtomicFiles.write(mount.resolve(files[i]), Versions.content(1, 50_000, i));
        }
        AtomicFiles.recover(mount); // creates the lock file, so the space it takes is counted before
        long before = free();
        assertThatThrownBy(() -> {
            try (FileTransaction tx = FileTransaction.begin(mount)) {
                for (int i = 0; i < files.length; i++) {
                    tx.write(files[i], Versions.content(2, 400_000, i));
                }
                tx.commit();
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
        for (int i = 0; i < files.length; i++) {
            assertThat(Versions.parse(Files.readAllBytes(mount.resolve(files[i])))).isEqualTo(1L);
        }
        assertThat(TestFiles.leftovers(mount)).isEmpty();
        assertThat(free()).as("space returned").isEqualTo(before);
    }
}
