package org.cancelkit.io.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The file system, through {@code java.nio}.
 *
 * <p>Locks: {@link FileChannel#tryLock()} excludes other processes, and the kernel drops the lock
 * when its process dies, however it dies. Within one process a semaphore per lock file (keyed by its
 * real path) keeps a second thread from even opening the file while the lock is held: on POSIX,
 * closing any descriptor of a file releases the process's locks on it.
 */
public final class RealFileOps implements FileOps {
    /** The one instance. */
    public static final RealFileOps INSTANCE = new RealFileOps();

    /** Lock files open in this process; written and read by any thread. */
    private static final ConcurrentHashMap<Path, Semaphore> OPEN_LOCKS = new ConcurrentHashMap<>();

    private RealFileOps() {}

    @Override
    public WritableFile createNew(Path file, @Nullable Set<PosixFilePermission> permissions) throws IOException {
        Set<StandardOpenOption> open = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileChannel channel = permissions == null || !file.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? FileChannel.open(file, open)
                : FileChannel.open(file, open, PosixFilePermissions.asFileAttribute(permissions));
        return new Channel(channel);
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            AtomicMoveNotSupportedException clear = new AtomicMoveNotSupportedException(source.toString(),
                    target.toString(), "cannot rename atomically, most likely because the two paths are on "
                    + "different file systems (is the target a bind-mounted file or a mount point?); cancelkit "
                    + "refuses to fall back to a copy, which a crash could leave torn: keep the target in a plain "
                    + "directory of one file system");
            clear.initCause(e);
            throw clear;
        } catch (FileSystemException e) {
            if (!"Device or resource busy".equals(e.getReason())) {
                throw e;
            }
            FileSystemException clear = new FileSystemException(source.toString(), target.toString(), "the target "
                    + "is busy, most likely a mount point (a bind-mounted file, as containers mount single config "
                    + "files): it cannot be replaced by a rename, and cancelkit will not write it in place, where a "
                    + "crash could leave it torn. Mount its directory instead of the file");
            clear.initCause(e);
            throw clear;
        }
    }

    @Override
    public void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        return Files.deleteIfExists(file);
    }

    @Override
    public List<String> list(Path directory) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    @Override
    public InputStream openRead(Path file) throws IOException {
        return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public Kind kind(Path path) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Kind.MISSING;
        }
        return a.isRegularFile() ? Kind.FILE : a.isDirectory() ? Kind.DIRECTORY
                : a.isSymbolicLink() ? Kind.LINK : Kind.OTHER;
    }

    @Override
    public @Nullable Set<PosixFilePermission> permissions(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return null;
        }
        try {
            return view.readAttributes().permissions();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void setPermissions(Path file, Set<PosixFilePermission> permissions) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view != null) {
            view.setPermissions(permissions);
        }
    }

    @Override
    public @Nullable Owner owner(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return null;
        }
        try {
            PosixFileAttributes a = view.readAttributes();
            return new Owner(a.owner(), a.group());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void setOwner(Path file, @Nullable UserPrincipal owner, @Nullable GroupPrincipal group)
            throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return;
        }
        if (owner != null) {
            view.setOwner(owner);
        }
        if (group != null) {
            view.setGroup(group);
        }
    }

    @Override
    public @Nullable LockFile openLock(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Path key = parent == null ? file.toAbsolutePath() : parent.toRealPath().resolve(file.getFileName());
        Semaphore inProcess = OPEN_LOCKS.computeIfAbsent(key, k -> new Semaphore(1));
        if (!inProcess.tryAcquire()) {
            return null;
        }
        try {
            if (kind(file) == Kind.LINK) {
                throw new FileSystemException(file.toString(), null, "is a symbolic link. A lock file is opened "
                        + "without following links, so that whoever can write its directory cannot make this "
                        + "process write elsewhere: remove the link (the lock file is created again)");
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS); // a link planted since: ELOOP
            try {
                requirePlainFile(file);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return new Lock(channel, inProcess);
        } catch (IOException | RuntimeException e) {
            inProcess.release();
            throw e;
        }
    }

    /** A lock file must be a regular file of its own: not a device, a fifo, nor a hard link to another file. */
    private static void requirePlainFile(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new FileSystemException(file.toString(), null, "is not a regular file (a directory, a device or "
                    + "a fifo); cancelkit locks with a regular file of its own: remove it (it is created again)");
        }
        if (file.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            Object links = Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            if (links instanceof Integer n && n > 1) {
                throw new FileSystemException(file.toString(), null, "has " + n + " hard links: it is also "
                        + "another file, which writing the lock's owner record would overwrite. Remove it (it is "
                        + "created again)");
            }
        }
    }

    /** A file channel opened for writing. */
    private record Channel(FileChannel channel) implements WritableFile {
        @Override
        public int write(ByteBuffer source) throws IOException {
            return channel.write(source);
        }

        @Override
        public void sync() throws IOException {
            channel.force(true);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A lock file; owned by the thread that opened it, but closable from a cancel action. */
    private static final class Lock implements LockFile {
        private final FileChannel channel;
        private final Semaphore inProcess;
        /** Written and read by the owning thread. */
        private @Nullable FileLock lock;
        /** Set once by the first close. */
        private boolean closed;

        Lock(FileChannel channel, Semaphore inProcess) {
            this.channel = channel;
            this.inProcess = inProcess;
        }

        @Override
        public boolean tryLock() throws IOException {
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return false; // held through another path to the same file in this process
            }
            return lock != null;
        }

        @Override
        public byte[] read() throws IOException {
            long size = channel.size();
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size, 64 * 1024));
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
                // keep reading until full or end of file
            }
            return java.util.Arrays.copyOf(buffer.array(), buffer.position());
        }

        @Override
        public void write(byte[] record) throws IOException {
            channel.truncate(0);
            ByteBuffer buffer = ByteBuffer.wrap(record);
            while (buffer.hasRemaining()) {
                channel.write(buffer, buffer.position());
            }
        }

        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.close(); // releases the lock too
            } finally {
                inProcess.release();
            }
        }
    }
}
