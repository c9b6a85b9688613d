package org.cancelkit.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cancelkit.io.internal.TempNames;
import org.cancelkit.io.internal.TxRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery run by a privileged process on a directory that someone less privileged can write: a
 * forged committed record (its seal recomputed, as anyone can) is refused, named in the report, and
 * touches nothing, inside the directory or out of it (issue 13, item 1; F3, F4).
 *
 * <p>Layout: {@code root/work} is the directory recovered; {@code root/outside} and the files beside
 * {@code work} stand for the rest of the machine, and {@link Sentinels} checks they are untouched.
 */
class ForgedJournalTest {
    private static final String ID = "0123456789abcdef";
    private static final String OTHER_ID = "fedcba9876543210";

    @TempDir
    Path root;
    Path dir;
    Path outside;
    Sentinels sentinels;

    @BeforeEach
    void layout() throws IOException {
        dir = Files.createDirectory(root.resolve("work"));
        outside = Files.createDirectory(root.resolve("outside"));
        Files.writeString(outside.resolve("victim.txt"), "victim");
        Files.writeString(root.resolve("secret.key"), "secret");
        Files.writeString(dir.resolve("important.db"), "important");
        Files.writeString(dir.resolve("t"), "old t");
        sentinels = Sentinels.of(root, dir);
    }

    /** Writes a committed record named for {@code fileId} whose content says {@code recordId}. */
    private Path forge(String fileId, String recordId, TxRecord.Entry... entries) throws IOException {
        return Files.write(dir.resolve(TempNames.committed(fileId)),
                new TxRecord(recordId, List.of(entries)).encode());
    }

    /** A temporary file in the directory with {@code content}, and its record entry for {@code target}. */
    private TxRecord.Entry staged(String target, String tempName, String content) throws IOException {
        byte[] bytes = content.getBytes(UTF_8);
        Path temp = dir.resolve(tempName).normalize();
        if (!Files.exists(temp)) {
            Files.write(temp, bytes);
        }
        return new TxRecord.Entry(target, tempName, bytes.length, TxRecord.sha256(Files.readAllBytes(temp)));
    }

    private RecoveryReport recoverAndExpectRefusal(Path record, String... orphans) throws IOException {
        Map<String, String> inside = Sentinels.snapshot(dir);
        for (String orphan : orphans) { // temporary files of no record: ordinary leftovers, removed
            assertThat(inside.remove(orphan)).as(orphan).isNotNull();
        }
        RecoveryReport report = AtomicFiles.recover(dir);
        sentinels.assertUntouched();
        Map<String, String> after = Sentinels.snapshot(dir);
        after.remove(TempNames.LOCK); // the one file recovery adds: its lock
        assertThat(after).as("nothing in the directory was touched").isEqualTo(inside);
        assertThat(report.refused()).as("the report names the refused record").singleElement()
                .satisfies(r -> assertThat(r.record()).isEqualTo(record));
        assertThat(report.rolledForward()).isZero();
        assertThat(report.tempFilesRemoved()).isEqualTo(orphans.length);
        return report;
    }

    @Test
    void aTargetOutsideTheDirectory_isRefused() throws IOException {
        String temp = TempNames.txTemp("escaped.txt", ID);
        Path record = forge(ID, ID, staged("../escaped.txt", temp, "planted"));
        RecoveryReport r = recoverAndExpectRefusal(record);
        assertThat(root.resolve("escaped.txt")).doesNotExist();
        assertThat(r.refused().getFirst().reason()).contains("../escaped.txt").contains("plain file name");
    }

    @Test
    void anAbsoluteTarget_isRefused() throws IOException {
        Path target = outside.resolve("absolute.txt");
        Path record = forge(ID, ID, staged(target.toString(), TempNames.txTemp("absolute.txt", ID), "planted"));
        recoverAndExpectRefusal(record);
        assertThat(target).doesNotExist();
    }

    @Test
    void aTempOutsideTheDirectory_isRefused_andNotMovedIn() throws IOException {
        Path record = forge(ID, ID, staged("stolen.key", "../secret.key", "secret"));
        recoverAndExpectRefusal(record);
        assertThat(root.resolve("secret.key")).hasContent("secret");
        assertThat(dir.resolve("stolen.key")).doesNotExist();
    }

    @Test
    void aTempThatIsAnOrdinaryFile_isRefused_andNotRenamedAway() throws IOException {
        Path record = forge(ID, ID, staged("t", "important.db", "important"));
        recoverAndExpectRefusal(record);
        assertThat(dir.resolve("important.db")).hasContent("important");
        assertThat(dir.resolve("t")).hasContent("old t");
    }

    @Test
    void aTargetThroughASymlinkedSubdirectory_isRefused() throws IOException {
        Files.createSymbolicLink(dir.resolve("sub"), outside);
        sentinels = Sentinels.of(root, dir);
        Path record = forge(ID, ID, staged("sub/pwned.txt", TempNames.txTemp("pwned.txt", ID), "planted"));
        recoverAndExpectRefusal(record);
        assertThat(outside.resolve("pwned.txt")).doesNotExist();
    }

    @Test
    void aTargetThatIsASymlink_isRefused() throws IOException {
        Files.createSymbolicLink(dir.resolve("link"), outside.resolve("victim.txt"));
        sentinels = Sentinels.of(root, dir);
        Path record = forge(ID, ID, staged("link", TempNames.txTemp("link", ID), "planted"));
        recoverAndExpectRefusal(record);
        assertThat(outside.resolve("victim.txt")).hasContent("victim");
    }

    @Test
    void aRecordWhoseIdDoesNotMatchItsFileName_isRefused() throws IOException {
        Path record = forge(ID, OTHER_ID, staged("t", TempNames.txTemp("t", OTHER_ID), "planted"));
        RecoveryReport r = recoverAndExpectRefusal(record, TempNames.txTemp("t", OTHER_ID));
        assertThat(dir.resolve("t")).hasContent("old t");
        assertThat(r.refused().getFirst().reason()).contains(OTHER_ID);
    }

    @Test
    void aTempOfAnotherTransaction_isRefused() throws IOException {
        Path record = forge(ID, ID, staged("t", TempNames.txTemp("t", OTHER_ID), "planted"));
        recoverAndExpectRefusal(record, TempNames.txTemp("t", OTHER_ID));
        assertThat(dir.resolve("t")).hasContent("old t");
    }

    @Test
    void aReservedTarget_isRefused() throws IOException {
        Path record = forge(ID, ID, staged(TempNames.LOCK, TempNames.txTemp(TempNames.LOCK, ID), "planted"));
        recoverAndExpectRefusal(record);
    }

    @Test
    void aRecordThatIsASymlink_isRefused_unread() throws IOException {
        Path record = Files.createSymbolicLink(dir.resolve(TempNames.committed(ID)), root.resolve("secret.key"));
        sentinels = Sentinels.of(root, dir);
        RecoveryReport r = recoverAndExpectRefusal(record);
        assertThat(r.refused().getFirst().reason()).contains("not a regular file").doesNotContain("secret");
    }

    /** One bad entry refuses the whole record: the good entry beside it is not applied either. */
    @Test
    void oneBadEntryRefusesTheWholeRecord() throws IOException {
        Path record = forge(ID, ID, staged("t", TempNames.txTemp("t", ID), "new t"),
                staged("../escaped.txt", TempNames.txTemp("escaped.txt", ID), "planted"));
        recoverAndExpectRefusal(record);
        assertThat(dir.resolve("t")).hasContent("old t");
    }

    /** A refused record stays, and is reported again by every recovery until someone removes it. */
    @Test
    void aRefusedRecordIsReportedAgain_andRemovingItClearsTheDirectory() throws IOException {
        String temp = TempNames.txTemp("escaped.txt", ID);
        Path record = forge(ID, ID, staged("../escaped.txt", temp, "planted"));
        recoverAndExpectRefusal(record);
        assertThat(AtomicFiles.recover(dir).refused()).hasSize(1);
        try (FileTransaction tx = FileTransaction.begin(dir)) { // a refused record does not block the directory
            assertThat(tx.recovery().refused()).hasSize(1);
            tx.writeString("t", "new t");
            tx.commit();
        }
        assertThat(dir.resolve("t")).hasContent("new t");
        Files.delete(record);
        RecoveryReport after = AtomicFiles.recover(dir);
        assertThat(after.refused()).isEmpty();
        assertThat(after.tempFilesRemoved()).as("the refused record's temporary file, now an orphan").isEqualTo(1);
        sentinels.assertUntouched();
    }

    /** Negative control: the same forging code with plain names is a real transaction, rolled forward. */
    @Test
    void negativeControl_anHonestRecordIsRolledForward() throws IOException {
        forge(ID, ID, staged("t", TempNames.txTemp("t", ID), "new t"));
        RecoveryReport r = AtomicFiles.recover(dir);
        assertThat(r.refused()).isEmpty();
        assertThat(r.rolledForward()).isEqualTo(1);
        assertThat(dir.resolve("t")).hasContent("new t");
        sentinels.assertUntouched();
    }

    /** The lock file is opened without following links: a planted link cannot make recovery write elsewhere. */
    @Test
    void aLockFileThatIsASymlink_isRefused_andItsTargetUntouched() throws IOException {
        Files.createSymbolicLink(dir.resolve(TempNames.LOCK), outside.resolve("victim.txt"));
        sentinels = Sentinels.of(root, dir);
        assertThatThrownBy(() -> AtomicFiles.recover(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> FileTransaction.begin(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("symbolic link");
        sentinels.assertUntouched();
        assertThat(outside.resolve("victim.txt")).hasContent("victim");
    }
}
