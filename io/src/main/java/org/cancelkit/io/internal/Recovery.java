package org.cancelkit.io.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.cancelkit.io.CommitStep;
import org.cancelkit.io.FileOptions;
import org.cancelkit.io.RecoveryReport;

/**
 * Recovery of a directory: finishes what {@link Journal#commit} left, and removes leftovers. The caller
 * holds the directory's lock.
 *
 * <h2>Trust</h2>
 * A transaction record is plain text sealed by an unkeyed SHA-256: anyone who can write the directory
 * can forge one. Recovery may run with more privileges than the directory's writers (root recovering a
 * service's directory), so it acts on a committed record only when the record could have come from
 * {@link Journal#commit} on this directory; anything else is refused, reported in
 * {@link RecoveryReport#refused()}, and left exactly as it is.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>Recovery never creates, renames or deletes a file outside the directory, and never follows a
 *       symbolic link: every name it acts on is a plain child name of the directory (no separator, not
 *       {@code .} or {@code ..}), records and temporary files are opened without following links, and a
 *       target that exists must be a regular file.</li>
 *   <li>A committed record is applied only when all of it checks out: it is a regular file within
 *       {@link TxRecord#MAX_BYTES}, its seal matches, its id is the id in its file name, each target is a
 *       plain name that cancelkit does not reserve, named once, and each temporary file is exactly
 *       {@link TempNames#txTemp} of its target and the id, and matches its length and SHA-256 when it is
 *       still there. Otherwise nothing of it is applied (not even its good entries), and its temporary
 *       files and any intent record of its id are kept for whoever examines it.</li>
 *   <li>Idempotent, as {@link Journal}'s invariant 3: a temporary file already renamed is gone and
 *       skipped; every step can be repeated after a crash inside recovery.</li>
 * </ol>
 */
public final class Recovery {
    private Recovery() {}

    /**
     * Recovers a directory: rolls committed transactions forward and uncommitted ones back, removes
     * leftover temporary files of dead writers and transactions, refuses records it cannot trust.
     *
     * @param fs the file system
     * @param directory the directory, absolute
     * @param options the settings
     * @param staleOwner the stale lock owner the caller's lock took over, for the report
     * @return what was done
     * @throws IOException when a step fails (run it again: every step is idempotent)
     */
    public static RecoveryReport recover(FileOps fs, Path directory, FileOptions options, Optional<String> staleOwner)
            throws IOException {
        fs.syncDirectory(directory); // act only on what is durable (a commit whose sync failed, say)
        List<String> names = new ArrayList<>(fs.list(directory));
        names.sort(null);
        Set<String> handled = new HashSet<>();
        Set<String> refusedIds = new HashSet<>();
        List<RecoveryReport.Refusal> refused = new ArrayList<>();
        int forward = 0;
        int back = 0;
        for (String name : names) {
            String id = TempNames.txIdOfRecord(name);
            if (id != null && TempNames.isCommitted(name) && handled.add(id)) {
                Checks.cancellation(directory);
                Path record = directory.resolve(name);
                List<Move> moves = new ArrayList<>();
                String refusal = check(fs, directory, record, id, moves);
                if (refusal != null) {
                    refused.add(new RecoveryReport.Refusal(record, refusal));
                    refusedIds.add(id); // invariant 2: its temporary files and intent stay
                } else {
                    rollForward(fs, directory, record, moves, options);
                    forward++;
                }
            }
        }
        for (String name : names) {
            String id = TempNames.txIdOfRecord(name);
            if (id != null && !TempNames.isCommitted(name) && !refusedIds.contains(id)) {
                Checks.cancellation(directory);
                rollBack(fs, directory, id, names, options);
                back += handled.add(id) ? 1 : 0;
            }
        }
        int removed = 0;
        int inUse = 0;
        for (String name : names) {
            String txId = TempNames.txIdOfTemp(name);
            TempNames.WriterTemp writer = TempNames.parseWriterTemp(name);
            Path path = directory.resolve(name);
            boolean remove = txId != null ? !handled.contains(txId) : writer != null && isStale(writer, path);
            if (remove) {
                fs.deleteIfExists(path); // a plain child name from the listing; a link is removed, not followed
                Steps.beforePointOfNoReturn(options, CommitStep.RECOVERY_TEMP_REMOVED);
                removed++;
            } else if (writer != null) {
                inUse++;
            }
        }
        if (removed > 0) {
            fs.syncDirectory(directory);
        }
        return new RecoveryReport(directory, forward, back, removed, inUse, staleOwner, refused);
    }

    /** A checked entry of a committed record: rename {@code temp} over {@code target}. */
    private record Move(Path temp, Path target) {}

    /**
     * Invariant 2: checks a committed record and fills {@code moves}; returns why it is refused, or null.
     * Reads only regular files of the directory, without following links, within known bounds.
     */
    private static String check(FileOps fs, Path directory, Path record, String id, List<Move> moves)
            throws IOException {
        if (fs.kind(record) != FileOps.Kind.FILE) {
            return "the record is not a regular file (a symbolic link, a directory or a device); cancelkit only "
                    + "writes regular files, and reads nothing through a link";
        }
        byte[] bytes;
        try (InputStream in = fs.openRead(record)) {
            bytes = in.readNBytes(TxRecord.MAX_BYTES + 1);
        }
        if (bytes.length > TxRecord.MAX_BYTES) {
            return "the record is larger than " + TxRecord.MAX_BYTES + " bytes, more than cancelkit ever writes";
        }
        TxRecord r;
        try {
            r = TxRecord.decode(bytes, record);
        } catch (FileSystemException e) {
            return e.getReason();
        }
        if (!r.id().equals(id)) {
            return "its id " + TxRecord.printable(r.id()) + " is not " + id + ", the id in its file name";
        }
        Set<String> targets = new HashSet<>();
        for (TxRecord.Entry e : r.entries()) {
            String target = e.target();
            String shown = TxRecord.printable(target);
            if (!isPlainName(directory, target)) {
                return "its target \"" + shown + "\" is not a plain file name in the directory (a separator, "
                        + "\".\", \"..\" or an absolute path); a transaction only writes direct children of its "
                        + "directory";
            }
            if (TempNames.isReserved(target)) {
                return "its target \"" + shown + "\" is a name cancelkit reserves for its own files";
            }
            if (!targets.add(target)) {
                return "it names the target \"" + shown + "\" twice";
            }
            String expected = TempNames.txTemp(target, id);
            if (!e.temp().equals(expected)) {
                return "the temporary file of \"" + shown + "\" is \"" + TxRecord.printable(e.temp()) + "\", not \""
                        + TxRecord.printable(expected) + "\", the name cancelkit gives it in transaction " + id;
            }
            Path targetPath = directory.resolve(target);
            FileOps.Kind targetKind = fs.kind(targetPath);
            if (targetKind != FileOps.Kind.FILE && targetKind != FileOps.Kind.MISSING) {
                return "its target \"" + shown + "\" is not a regular file (a symbolic link, a directory or a "
                        + "device); cancelkit replaces regular files only";
            }
            Path temp = directory.resolve(expected);
            FileOps.Kind tempKind = fs.kind(temp);
            if (tempKind == FileOps.Kind.MISSING) {
                continue; // invariant 3: renamed already (or its target written again since)
            }
            if (tempKind != FileOps.Kind.FILE) {
                return "the temporary file " + TxRecord.printable(expected) + " is not a regular file";
            }
            if (e.length() < 0 || !matches(fs, temp, e.length(), e.sha256())) {
                return "the temporary file " + TxRecord.printable(expected) + " does not match its length and "
                        + "SHA-256 in the record: the disk lost or changed data that had been synced, or someone "
                        + "changed it";
            }
            moves.add(new Move(temp, targetPath));
        }
        return null;
    }

    /** A direct child of the directory, named as given: no separator, no ".", "..", root or NUL. */
    static boolean isPlainName(Path directory, String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            return false;
        }
        try {
            Path p = directory.resolve(name);
            return !Path.of(name).isAbsolute() && directory.equals(p.getParent())
                    && name.equals(String.valueOf(p.getFileName())) && p.normalize().equals(p);
        } catch (RuntimeException invalid) {
            return false; // not a path on this file system
        }
    }

    private static boolean matches(FileOps fs, Path temp, long length, String sha256) throws IOException {
        MessageDigest d = TxRecord.digest();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try (InputStream in = fs.openRead(temp)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > length) {
                    return false; // longer than the record says: no need to read on
                }
                d.update(buffer, 0, n);
            }
        }
        return total == length && TxRecord.hex(d.digest()).equals(sha256);
    }

    private static boolean isStale(TempNames.WriterTemp temp, Path path) {
        OwnerId me = OwnerId.current();
        if (temp.pid() == me.pid() && temp.bootPrefix().equals(me.bootPrefix())) {
            return !Targets.inUse(path);
        }
        return OwnerId.liveness(temp.pid(), temp.bootPrefix()) == OwnerId.Liveness.DEAD;
    }

    private static void rollForward(FileOps fs, Path directory, Path record, List<Move> moves, FileOptions options)
            throws IOException {
        for (Move m : moves) {
            fs.rename(m.temp(), m.target());
            Steps.beforePointOfNoReturn(options, CommitStep.RECOVERY_TARGET_REPLACED);
        }
        fs.syncDirectory(directory);
        fs.deleteIfExists(record);
        Steps.beforePointOfNoReturn(options, CommitStep.RECOVERY_RECORD_DELETED);
        fs.syncDirectory(directory);
    }

    private static void rollBack(FileOps fs, Path directory, String id, List<String> names, FileOptions options)
            throws IOException {
        for (String name : names) {
            if (id.equals(TempNames.txIdOfTemp(name))) {
                fs.deleteIfExists(directory.resolve(name));
                Steps.beforePointOfNoReturn(options, CommitStep.RECOVERY_TEMP_REMOVED);
            }
        }
        fs.deleteIfExists(directory.resolve(TempNames.intent(id)));
        Steps.beforePointOfNoReturn(options, CommitStep.RECOVERY_RECORD_DELETED);
        fs.syncDirectory(directory);
    }
}
