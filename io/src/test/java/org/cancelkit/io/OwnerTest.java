package org.cancelkit.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replaced file keeps its owner and group where the process may (issue 13, item 7): a 0600 file of
 * a service user, replaced by root, stays the service user's and readable by it. Runs as root (the
 * machine's tests do); elsewhere the root cases are skipped and say why.
 */
class OwnerTest {
    @TempDir
    Path dir;
    UserPrincipal nobody;
    GroupPrincipal nogroup;

    @BeforeEach
    void principals() throws IOException {
        UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
        nobody = lookup.lookupPrincipalByName("nobody");
        nogroup = lookup.lookupPrincipalByGroupName(Files.exists(Path.of("/etc/group"))
                && Files.readString(Path.of("/etc/group")).contains("\nnogroup:") ? "nogroup" : "nobody");
    }

    private static boolean root() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid",
                LinkOption.NOFOLLOW_LINKS));
    }

    private Path serviceFile(String name) throws IOException {
        Path f = Files.writeString(dir.resolve(name), "old secret");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        Files.setOwner(f, nobody);
        Files.getFileAttributeView(f, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(nogroup);
        return f;
    }

    private void assertServiceFile(Path f, String content) throws IOException {
        PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(f).hasContent(content);
        assertThat(a.owner()).as("owner").isEqualTo(nobody);
        assertThat(a.group()).as("group").isEqualTo(nogroup);
        assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rw-------");
    }

    @Test
    void rootReplacingAServiceUsersFile_keepsOwnerGroupAndPermissions() throws IOException {
        assumeTrue(root(), "needs root: only root may give a file to another user");
        Path f = serviceFile("service.conf");
        AtomicFiles.writeString(f, "new secret");
        assertServiceFile(f, "new secret");
        try (AtomicFileWriter w = AtomicFileWriter.open(f)) {
            w.write("streamed".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            w.commit();
        }
        assertServiceFile(f, "streamed");
    }

    @Test
    void rootReplacingServiceUsersFilesInATransaction_keepsOwnersGroupsAndPermissions() throws IOException {
        assumeTrue(root(), "needs root: only root may give a file to another user");
        Path a = serviceFile("a.conf");
        Path b = serviceFile("b.conf");
        try (FileTransaction tx = FileTransaction.begin(dir)) {
            tx.writeString("a.conf", "new a");
            tx.writeString("b.conf", "new b");
            tx.commit();
        }
        assertServiceFile(a, "new a");
        assertServiceFile(b, "new b");
    }

    /** Negative control: a new file belongs to the writing process, as it always did. */
    @Test
    void aNewFileBelongsToTheWritingProcess() throws IOException {
        Path f = dir.resolve("new.conf");
        AtomicFiles.writeString(f, "x");
        PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class);
        PosixFileAttributes d = Files.readAttributes(dir, PosixFileAttributes.class); // made by this process
        assertThat(a.owner()).isEqualTo(d.owner());
    }

    /** Where the process may not change the owner, the write still succeeds, with the old permissions. */
    @Test
    void whereChownIsNotPermitted_theWriteSucceeds_asTheProcesssFile() throws IOException {
        assumeTrue(root(), "needs root to make a file of another user to begin with");
        Path f = serviceFile("service.conf");
        int[] attempts = {0};
        FaultyFs fs = new FaultyFs().hook((i, op, p) -> {
            if (op.equals("setOwner")) {
                attempts[0]++;
                throw new FileSystemException(String.valueOf(p), null, "Operation not permitted");
            }
        });
        AtomicFiles.write(f, out -> out.write("new".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                FileOptions.defaults(), fs);
        PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class);
        assertThat(f).hasContent("new");
        assertThat(a.owner()).isNotEqualTo(nobody);
        assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rw-------");
        assertThat(attempts[0]).as("owner and group, then the group alone").isEqualTo(2);
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }
}
