package org.cancelkit.io.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cancelkit.io.CommitStep;
import org.cancelkit.io.FileOptions;
import org.cancelkit.io.IncompleteCommitException;

/**
 * The multi-file commit protocol (the LevelDB/SQLite idea); {@link Recovery} completes it after a
 * crash. The caller holds the directory's {@link DirLock} throughout.
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
    public static void commit(FileOps fs, Path directory, String txId, List<StagedFile> files,
                              FileOptions options) throws IOException {
        Path intent = directory.resolve(TempNames.intent(txId));
        Path committed = directory.resolve(TempNames.committed(txId));
        try {
            Checks.cancellation(directory);
            byte[] record = record(txId, files).encode();
            if (record.length > TxRecord.MAX_BYTES) {
                throw new IOException("transaction " + txId + " in " + directory + ": its record of " + files.size()
                        + " files would take " + record.length + " bytes, over the " + TxRecord.MAX_BYTES + " bytes "
                        + "that recovery reads; nothing was changed: commit fewer files per transaction");
            }
            writeRecord(fs, intent, record);
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
                for (StagedFile f : files) {
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

    private static TxRecord record(String txId, List<StagedFile> files) {
        List<TxRecord.Entry> entries = new ArrayList<>(files.size());
        for (StagedFile f : files) {
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
    private static void rollBack(FileOps fs, List<StagedFile> files, Path intent, FileOptions options,
                                 Throwable primary) {
        try {
            Checks.shielded(options, () -> {
                for (StagedFile f : files) {
                    fs.deleteIfExists(f.temp());
                }
                fs.deleteIfExists(intent);
            });
        } catch (Throwable t) {
            primary.addSuppressed(t); // what is left is recognisable, and recovery removes it
        }
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
