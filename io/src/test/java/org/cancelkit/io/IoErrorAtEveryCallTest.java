package org.cancelkit.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An I/O error at every file-system call of a replace and of a transaction, in turn (SQLite's ioerr
 * tests; TESTING.md, "I/O error at every call"): once a plain {@link IOException}, once "No space left
 * on device". Pass: the error reaches the caller; the target is old, or new and reported as an
 * {@link IncompleteCommitException} when the failure came after the rename; no temporary file is left;
 * after a failed fsync the writer never reports success.
 */
class IoErrorAtEveryCallTest {
    @TempDir
    Path root;

    private static final byte[] OLD = Versions.content(1, 5_000, 7);
    private static final byte[] NEW = Versions.content(2, 700_000, 7); // several chunks: several writes

    @Test
    void ioErrorAtEveryCallOfAReplace() throws IOException {
        everyCallOfAReplace(k -> new IOException("injected failure at call " + k));
    }

    @Test
    void noSpaceLeftOnDeviceAtEveryCallOfAReplace() throws IOException {
        everyCallOfAReplace(k -> new FileSystemException("/injected", null, "No space left on device"));
    }

    private void everyCallOfAReplace(IntFunction<IOException> error) throws IOException {
        FaultyFs counting = new FaultyFs();
        replace(fresh("count"), counting);
        List<String> calls = counting.calls();
        int renameAt = calls.indexOf("rename");
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        for (int k = 0; k < calls.size(); k++) {
            Path dir = fresh("k" + k);
            IOException injected = error.apply(k);
            FaultyFs fs = new FaultyFs().hook(FaultyFs.failAt(k, injected));
            String outcome;
            try {
                replace(dir, fs);
                outcome = "success";
            } catch (IncompleteCommitException e) {
                outcome = "incomplete";
                assertThat(e).hasCause(injected);
            } catch (IOException e) {
                outcome = "failed";
                assertThat(e).isSameAs(injected);
            }
            String at = "call " + k + " (" + calls.get(k) + ")";
            outcomes.merge(calls.get(k) + "→" + outcome, 1, Integer::sum);
            assertThat(outcome).as(at + ": the error must reach the caller").isNotEqualTo("success");
            byte[] target = Files.readAllBytes(dir.resolve("t"));
            if (k > renameAt) {
                assertThat(outcome).as(at).isEqualTo("incomplete");
                assertThat(target).as(at).isEqualTo(NEW);
            } else {
                assertThat(outcome).as(at).isEqualTo("failed");
                assertThat(target).as(at).isEqualTo(OLD);
            }
            assertThat(TestFiles.leftovers(dir)).as(at).isEmpty();
        }
        System.out.println("[io error, replace] " + calls.size() + " calls " + calls + ": " + outcomes);
    }

    private static void replace(Path dir, FaultyFs fs) throws IOException {
        AtomicFiles.write(dir.resolve("t"), out -> out.write(NEW), FileOptions.defaults(), fs);
    }

    @Test
    void afterAFailedFsync_theWriterNeverReportsSuccess_F2() throws IOException {
        Path dir = fresh("fsyncgate");
        IOException eio = new IOException("Input/output error");
        FaultyFs fs = new FaultyFs().hook((i, op, p) -> {
            if (op.equals("sync")) {
                throw eio;
            }
        });
        AtomicFileWriter w = AtomicFileWriter.open(dir.resolve("t"), FileOptions.defaults(), fs);
        w.write(NEW);
        assertThatThrownBy(w::commit).isSameAs(eio);
        fs.hook((i, op, p) -> { }); // the disk "recovers": a retry must still not succeed
        assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class).hasCause(eio);
        assertThat(dir.resolve("t")).hasBinaryContent(OLD);
        assertThat(TestFiles.leftovers(dir)).isEmpty();
    }

    /** Every call failing from call k on (a disk going bad): the error still reaches the caller. */
    @Test
    void persistentFailureFromEveryCall_thenRecoveryCleansUp() throws IOException {
        FaultyFs counting = new FaultyFs();
        replace(fresh("count2"), counting);
        int n = counting.calls().size();
        int left = 0;
        for (int k = 0; k < n; k++) {
            Path dir = fresh("from" + k);
            int from = k;
            FaultyFs fs = new FaultyFs().hook((i, op, p) -> {
                if (i >= from) {
                    throw new IOException("disk gone bad at call " + i);
                }
            });
            assertThatThrownBy(() -> replace(dir, fs)).isInstanceOf(IOException.class);
            assertThat(Files.readAllBytes(dir.resolve("t"))).satisfiesAnyOf(b -> assertThat(b).isEqualTo(OLD),
                    b -> assertThat(b).isEqualTo(NEW));
            left += TestFiles.leftovers(dir).size();
            AtomicFiles.recover(dir);
            assertThat(TestFiles.leftovers(dir)).isEmpty();
        }
        System.out.println("[io error, persistent] " + n + " starting points, " + left
                + " temporary files left for recovery, all removed by it");
    }

    @Test
    void ioErrorAtEveryCallOfATransaction_F4() throws IOException {
        FaultyFs counting = new FaultyFs();
        transaction(fresh("txcount"), counting);
        List<String> calls = counting.calls();
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        for (int k = 0; k < calls.size(); k++) {
            Path dir = fresh("tx" + k);
            IOException injected = new FileSystemException("/injected", null, "No space left on device");
            String outcome;
            try {
                transaction(dir, new FaultyFs().hook(FaultyFs.failAt(k, injected)));
                outcome = "success";
            } catch (IncompleteCommitException e) {
                outcome = "incomplete";
                assertThat(e).hasCause(injected);
            } catch (IOException e) {
                outcome = "failed";
                assertThat(e).isSameAs(injected);
            }
            String at = "call " + k + " (" + calls.get(k) + ")";
            outcomes.merge(calls.get(k) + "→" + outcome, 1, Integer::sum);
            if (outcome.equals("failed")) {
                assertThat(TestFiles.leftovers(dir)).as(at).isEmpty();
                assertThat(versions(dir)).as(at).containsOnly(1L);
            } else {
                AtomicFiles.recover(dir); // finishes an incomplete commit, or removes a left record
                assertThat(versions(dir)).as(at).containsOnly(2L);
            }
            assertThat(TestFiles.leftovers(dir)).as(at).isEmpty();
            assertThat(AtomicFiles.recover(dir).changedNothing()).as(at).isTrue();
        }
        System.out.println("[io error, transaction] " + calls.size() + " calls: " + outcomes);
    }

    private static final String[] FILES = {"a", "b", "c"};

    private static void transaction(Path dir, FaultyFs fs) throws IOException {
        try (FileTransaction tx = FileTransaction.begin(dir, FileOptions.defaults(), fs)) {
            for (int i = 0; i < FILES.length; i++) {
                tx.write(FILES[i], Versions.content(2, 3_000 + i, i));
            }
            tx.commit();
        }
    }

    private static List<Long> versions(Path dir) throws IOException {
        List<Long> v = new java.util.ArrayList<>();
        for (String f : FILES) {
            v.add(Versions.parse(Files.readAllBytes(dir.resolve(f))));
        }
        return v;
    }

    private Path fresh(String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        Files.write(dir.resolve("t"), OLD);
        for (int i = 0; i < FILES.length; i++) {
            Files.write(dir.resolve(FILES[i]), Versions.content(1, 3_000 + i, i));
        }
        return dir;
    }
}
