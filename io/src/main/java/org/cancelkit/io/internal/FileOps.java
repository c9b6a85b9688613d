package org.cancelkit.io.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Every file-system call of the io module, and nothing else: the writer, the transaction, the lock
 * and recovery reach the disk only through this interface, so tests can fail any call, count calls,
 * or replace the disk with a model that forgets unsynced writes and directory operations at a
 * simulated power loss. {@link RealFileOps} is the one production implementation.
 *
 * <p>Contract for implementations: {@link #rename} is atomic and replaces an existing target (it
 * never copies); {@link WritableFile#sync()} and {@link #syncDirectory} return only when what they
 * cover is durable; failures are {@link IOException}s.
 */
public interface FileOps {

    /** What a path is. */
    enum Kind {
        /** Nothing there. */
        MISSING,
        /** A regular file. */
        FILE,
        /** A directory. */
        DIRECTORY,
        /** A symbolic link (never followed). */
        LINK,
        /** Something else: a device, a socket, a fifo. */
        OTHER
    }

    /**
     * Creates a new file and opens it for writing at position 0.
     *
     * @param file the file; must not exist
     * @param permissions the permissions to create it with (the umask may remove some), or null for
     *     the default
     * @return the open file
     * @throws IOException when it exists or cannot be created
     */
    WritableFile createNew(Path file, @Nullable Set<PosixFilePermission> permissions) throws IOException;

    /**
     * Renames atomically, replacing {@code target} if it exists.
     *
     * @param source the file to rename
     * @param target its new name, in the same directory
     * @throws java.nio.file.AtomicMoveNotSupportedException when the rename cannot be atomic
     * @throws IOException when the rename fails
     */
    void rename(Path source, Path target) throws IOException;

    /**
     * Makes the directory's entries durable (fsync on the directory).
     *
     * @param directory the directory
     * @throws IOException when the sync fails
     */
    void syncDirectory(Path directory) throws IOException;

    /**
     * Deletes a file if it exists.
     *
     * @param file the file
     * @return true when it existed
     * @throws IOException when the delete fails
     */
    boolean deleteIfExists(Path file) throws IOException;

    /**
     * Returns the names of the entries of a directory, in no particular order.
     *
     * @param directory the directory
     * @return the names of its entries
     * @throws IOException when it cannot be read
     */
    List<String> list(Path directory) throws IOException;

    /**
     * Opens a file for reading, without following a symbolic link: a link fails to open.
     *
     * @param file the file
     * @return a stream over its content
     * @throws IOException when it cannot be opened, or is a symbolic link
     */
    InputStream openRead(Path file) throws IOException;

    /**
     * Returns what {@code path} is, without following a final symbolic link.
     *
     * @param path the path
     * @return what it is
     * @throws IOException when it cannot be examined
     */
    Kind kind(Path path) throws IOException;

    /**
     * Returns the POSIX permissions of a file, without following a symbolic link, or null when it does
     * not exist or the file system has none.
     *
     * @param file the file
     * @return its permissions, or null
     * @throws IOException when they cannot be read
     */
    @Nullable Set<PosixFilePermission> permissions(Path file) throws IOException;

    /**
     * Sets the POSIX permissions of a file; does nothing where the file system has none.
     *
     * @param file the file
     * @param permissions the permissions
     * @throws IOException when they cannot be set
     */
    void setPermissions(Path file, Set<PosixFilePermission> permissions) throws IOException;

    /**
     * Returns the owner and group of a file, without following a symbolic link, or null when it does
     * not exist or the file system has no POSIX owners.
     *
     * @param file the file
     * @return its owner and group, or null
     * @throws IOException when they cannot be read
     */
    @Nullable Owner owner(Path file) throws IOException;

    /**
     * Gives a file another owner and group (chown), without following a symbolic link.
     *
     * @param file the file
     * @param owner the new owner, or null to keep it
     * @param group the new group, or null to keep it
     * @throws java.nio.file.FileSystemException when the process may not ("Operation not permitted":
     *     only root may give a file away, and a user may only choose a group they belong to)
     * @throws IOException when it fails otherwise
     */
    void setOwner(Path file, @Nullable UserPrincipal owner, @Nullable GroupPrincipal group) throws IOException;

    /**
     * A file's owner and group.
     *
     * @param user the owner
     * @param group the group
     */
    record Owner(UserPrincipal user, GroupPrincipal group) {}

    /**
     * Opens a lock file, creating it if needed, for {@link LockFile#tryLock()}. It is opened without
     * following a symbolic link and must be a regular file with one link: whoever can write its
     * directory must not be able to point the lock's writes elsewhere.
     *
     * @param file the lock file
     * @return the open lock file, or null when another thread of this process has it open
     * @throws IOException when it cannot be opened, or is a link, a hard link or not a regular file
     */
    @Nullable LockFile openLock(Path file) throws IOException;

    /** A file open for writing, sequentially from position 0. */
    interface WritableFile {
        /**
         * Writes some of {@code source}, advancing its position.
         *
         * @param source the bytes
         * @return how many were written
         * @throws IOException when the write fails
         */
        int write(ByteBuffer source) throws IOException;

        /**
         * Makes the content and metadata durable (fsync).
         *
         * @throws IOException when the sync fails
         */
        void sync() throws IOException;

        /**
         * Closes the file. Idempotent, and callable from any thread: a write blocked in another thread
         * then fails.
         *
         * @throws IOException when closing reports an error
         */
        void close() throws IOException;
    }

    /** An open lock file: an exclusive lock between processes, and a small record of its owner. */
    interface LockFile {
        /**
         * Tries to take the lock without waiting.
         *
         * @return true when taken; false when another process holds it
         * @throws IOException when the attempt fails
         */
        boolean tryLock() throws IOException;

        /**
         * Reads the owner record.
         *
         * @return the record's bytes, empty when none
         * @throws IOException when it cannot be read
         */
        byte[] read() throws IOException;

        /**
         * Replaces the owner record.
         *
         * @param record the new record; empty to clear it
         * @throws IOException when it cannot be written
         */
        void write(byte[] record) throws IOException;

        /**
         * Releases the lock if held and closes the file.
         *
         * @throws IOException when closing fails
         */
        void close() throws IOException;
    }
}
