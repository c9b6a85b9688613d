package org.cancelkit.io.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
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
import org.cancelkit.io.IncompleteCommitException;
import org.cancelkit.io.RecoveryReport;

/**
 * The multi-file commit protocol (the LevelDB/SQLite idea) and the recovery that completes it. The
 * caller holds the directory's {@link DirLock} throughout.
 *
 * <h2>Protocol</h2>
 * <ol>
 *   <li>Each file is written to its temporary file and synced ({@link Replacement#stage()}).</li>
 *   <li>The intent record (target, temporary file, length, SHA-256 of each) is written and synced, then
 *       the directory: record and temporary files are durable.</li>
 *   <li>The commit point: the record is renamed to its committed name, and the directory synced.</li>
 *   <li>Each temporary file is renamed over its target; the directory is synced.</li>
 *   <li>The record is deleted; the directory is synced.</li>
 * </ol>
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>No target is touched before the committed record is durable: a crash before step 3 completes
 *       leaves every target old, and a failure of step 3's sync stops the commit there.</li>
 *   <li>A durable committed record names temporary files that are durable and whose checksums it
 *       holds, so roll-forward can always finish it (F4).</li>
 *   <li>Recovery is idempotent: a file already renamed has no temporary file left, and is skipped;
 *       every step can be repeated after a crash inside recovery, which therefore converges.</li>
 * </ol>
 */
public final class Journal {
    private Journal() {}

    /**
     * Commits staged files; see the protocol above.
     *
     * @param fs the file system
     * @param directory the directory, absolute
     * @param txId the transaction id
     * @param files the staged files, all in {@code directory}
     * @param options the settings
     * @throws IOException when a step before the commit point failed (every target unchanged, every
     *     temporary file removed), or an {@link IncompleteCommitException} after it
     */
    public static void commit(FileOps fs, Path directory, String txId, List<Replacement.Staged> files,
                              FileOptions options) throws IOException {
        Path intent = directory.resolve(TempNames.intent(txId));
        Path committed = directory.resolve(TempNames.committed(txId));
        try {
            Checks.cancellation(directory);
            writeRecord(fs, intent, record(txId, files).encode());
            Steps.beforePointOfNoReturn(options, CommitStep.INTENT_WRITTEN);
            fs.syncDirectory(directory);
            Steps.beforePointOfNoReturn(options, CommitStep.INTENT_DURABLE);
            Checks.cancellation(directory); // the last cancellation point before the commit point
            fs.rename(intent, committed);
        } catch (Throwable t) {
            if (!(t instanceof IOException) || !exists(fs, committed)) {
                rollBack(fs, files, intent, options, t);
                throw Checks.rethrow(t);
            } // else the rename happened and only reported an error: the commit point is passed
        }
        Steps.afterPointOfNoReturn(options, CommitStep.COMMIT_RENAMED);
        try {
            Checks.shielded(options, () -> Checks.syncDirectoryPastNoReturn(fs, directory));
        } catch (IOException | RuntimeException e) {
            throw new IncompleteCommitException(directory, "transaction " + txId + " in " + directory + ": its record "
                    + "was renamed to committed, but syncing the directory failed, so whether it counts is not yet "
                    + "durable. No file was changed. Recovery decides and finishes it, all files or none: run "
                    + "AtomicFiles.recover on the directory (the next FileTransaction.begin there does it too)", e);
        }
        Steps.afterPointOfNoReturn(options, CommitStep.COMMITTED);
        boolean[] durable = {false};
        try {
            Checks.shielded(options, () -> {
                for (Replacement.Staged f : files) {
                    fs.rename(f.temp(), f.target());
                    Steps.afterPointOfNoReturn(options, CommitStep.TARGET_REPLACED);
                }
                Checks.syncDirectoryPastNoReturn(fs, directory);
                durable[0] = true;
                Steps.afterPointOfNoReturn(options, CommitStep.TARGETS_DURABLE);
                fs.deleteIfExists(committed);
                Steps.afterPointOfNoReturn(options, CommitStep.RECORD_DELETED);
                Checks.syncDirectoryPastNoReturn(fs, directory);
                Steps.afterPointOfNoReturn(options, CommitStep.FINISHED);
            });
        } catch (IOException | RuntimeException e) {
            if (!durable[0]) {
                throw new IncompleteCommitException(directory, "transaction " + txId + " in " + directory + " is "
                        + "committed, but applying it failed, so readers may see a mix of old and new files until "
                        + "recovery finishes it: run AtomicFiles.recover on the directory (the next "
                        + "FileTransaction.begin there does it too)", e);
            } // every file is new and durable; the record left behind is removed by the next recovery
        }
    }

    private static TxRecord record(String txId, List<Replacement.Staged> files) {
        List<TxRecord.Entry> entries = new ArrayList<>(files.size());
        for (Replacement.Staged f : files) {
            entries.add(new TxRecord.Entry(name(f.target()), name(f.temp()), f.length(), TxRecord.hex(f.sha256())));
        }
        return new TxRecord(txId, entries);
    }

    private static void writeRecord(FileOps fs, Path file, byte[] bytes) throws IOException {
        FileOps.WritableFile f = fs.createNew(file, null);
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                f.write(b);
            }
            f.sync();
        } finally {
            f.close();
        }
    }

    /** Before the commit point: removes the temporary files and the intent record, shielded. */
    private static void rollBack(FileOps fs, List<Replacement.Staged> files, Path intent, FileOptions options,
                                 Throwable primary) {
        try {
            Checks.shielded(options, () -> {
                for (Replacement.Staged f : files) {
                    fs.deleteIfExists(f.temp());
                }
                fs.deleteIfExists(intent);
            });
        } catch (Throwable t) {
            primary.addSuppressed(t); // what is left is recognisable, and recovery removes it
        }
    }

    /**
     * Recovers a directory: rolls committed transactions forward and uncommitted ones back, removes
     * leftover temporary files of dead writers and transactions. The caller holds the lock.
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
        int forward = 0;
        int back = 0;
        for (String name : names) {
            String id = TempNames.txIdOfRecord(name);
            if (id != null && TempNames.isCommitted(name) && handled.add(id)) {
                Checks.cancellation(directory);
                rollForward(fs, directory, directory.resolve(name), options);
                forward++;
            }
        }
        for (String name : names) {
            String id = TempNames.txIdOfRecord(name);
            if (id != null && !TempNames.isCommitted(name)) {
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
                fs.deleteIfExists(path);
                Steps.beforePointOfNoReturn(options, CommitStep.RECOVERY_TEMP_REMOVED);
                removed++;
            } else if (writer != null) {
                inUse++;
            }
        }
        if (removed > 0) {
            fs.syncDirectory(directory);
        }
        return new RecoveryReport(directory, forward, back, removed, inUse, staleOwner);
    }

    private static boolean isStale(TempNames.WriterTemp temp, Path path) {
        OwnerId me = OwnerId.current();
        if (temp.pid() == me.pid() && temp.bootPrefix().equals(me.bootPrefix())) {
            return !Targets.inUse(path);
        }
        return OwnerId.liveness(temp.pid(), temp.bootPrefix()) == OwnerId.Liveness.DEAD;
    }

    private static void rollForward(FileOps fs, Path directory, Path record, FileOptions options) throws IOException {
        TxRecord r = TxRecord.decode(TxRecord.readAll(fs, record), record);
        for (TxRecord.Entry e : r.entries()) {
            Path temp = directory.resolve(e.temp());
            if (fs.kind(temp) != FileOps.Kind.FILE) {
                continue; // invariant 3: renamed already (or its target written again since)
            }
            if (!sha256(fs, temp).equals(e.sha256())) {
                throw new FileSystemException(temp.toString(), null, "does not match its checksum in the committed "
                        + "transaction record " + record + ": the disk lost or changed data that had been synced. "
                        + "cancelkit leaves the directory as it is: restore " + e.target() + " from a backup, then "
                        + "delete the record and the temporary file");
            }
            fs.rename(temp, directory.resolve(e.target()));
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

    private static String sha256(FileOps fs, Path file) throws IOException {
        MessageDigest d = TxRecord.digest();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = fs.openRead(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                d.update(buffer, 0, n);
            }
        }
        return TxRecord.hex(d.digest());
    }

    private static boolean exists(FileOps fs, Path file) {
        try {
            return fs.kind(file) == FileOps.Kind.FILE;
        } catch (IOException e) {
            return false;
        }
    }

    private static String name(Path p) {
        return String.valueOf(p.getFileName());
    }
}
