package org.cancelkit.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cancelkit.io.internal.OwnerId;
import org.cancelkit.io.internal.TempNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long target names (issue 13, item 6): temporary names embed at most 120 bytes of the target's name,
 * so two targets that share their first 120 bytes must still get distinct temporary names, and
 * recovery must still recognise them (F4).
 */
class LongNamesTest {
    /** 200 bytes in common, then one differing character: both far over the 120 bytes a temp name embeds. */
    private static final String COMMON = "x".repeat(150) + "é".repeat(25);
    private static final String A = COMMON + "a";
    private static final String B = COMMON + "b";

    @TempDir
    Path dir;

    @Test
    void twoLongNamesSharingTheirFirst120Bytes_commitInOneTransaction() throws IOException {
        try (FileTransaction tx = FileTransaction.begin(dir)) {
            tx.writeString(A, "content of a");
            tx.writeString(B, "content of b");
            tx.commit();
        }
        assertThat(dir.resolve(A)).hasContent("content of a");
        assertThat(dir.resolve(B)).hasContent("content of b");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }

    @Test
    void tempNamesDifferAndStayUnder255Bytes_andShortNamesAreUnchanged() {
        String id = TempNames.newTxId();
        assertThat(TempNames.txTemp(A, id)).isNotEqualTo(TempNames.txTemp(B, id));
        assertThat(TempNames.writerTemp(A, OwnerId.current())).isNotEqualTo(TempNames.writerTemp(B, OwnerId.current()));
        String longest = "é".repeat(127); // 254 bytes: the longest name most file systems allow
        for (String name : new String[] {A, B, longest, "x".repeat(255)}) {
            assertThat(TempNames.txTemp(name, id).getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                    .as(name).isLessThanOrEqualTo(255);
            assertThat(TempNames.txIdOfTemp(TempNames.txTemp(name, id))).isEqualTo(id);
        }
        assertThat(TempNames.txTemp("config.json", id)).isEqualTo(".config.json.tx-" + id + ".cancelkit.tmp");
        // the hashed form of a long name is never the plain form of a short one: it embeds over 120 bytes
        String hashed = TempNames.txTemp(A, id);
        String embedded = hashed.substring(1, hashed.length() - (".tx-" + id + ".cancelkit.tmp").length());
        assertThat(embedded.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isGreaterThan(120);
    }

    /** A crash after the commit point (here: the renames fail) is finished by recovery, long names and all. */
    @Test
    void recoveryRollsForwardATransactionOfLongNames() throws IOException {
        Files.writeString(dir.resolve(A), "old a");
        Files.writeString(dir.resolve(B), "old b");
        FaultyFs fs = new FaultyFs().hook((i, op, p) -> {
            if (op.equals("rename") && p != null && (p.endsWith(A) || p.endsWith(B))) {
                throw new IOException("injected: the machine stops before the targets are replaced");
            }
        });
        FileTransaction tx = FileTransaction.begin(dir, FileOptions.defaults(), fs);
        tx.writeString(A, "new a");
        tx.writeString(B, "new b");
        assertThatThrownBy(tx::commit).isInstanceOf(IncompleteCommitException.class);
        assertThat(dir.resolve(A)).hasContent("old a");
        RecoveryReport r = AtomicFiles.recover(dir);
        assertThat(r.refused()).isEmpty();
        assertThat(r.rolledForward()).isEqualTo(1);
        assertThat(dir.resolve(A)).hasContent("new a");
        assertThat(dir.resolve(B)).hasContent("new b");
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }
}
