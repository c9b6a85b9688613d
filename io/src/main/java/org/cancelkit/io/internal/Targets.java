package org.cancelkit.io.internal;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What may be replaced, and which temporary files writers of this process still use. */
public final class Targets {
    /** Temporary files of writers of this process still in use: recovery leaves them alone. Any thread. */
    static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    private Targets() {}

    /**
     * Checks that {@code target} can be replaced, and returns it absolute.
     *
     * @param fs the file system
     * @param target the target
     * @return the absolute target
     * @throws IOException when its directory is missing or it is not a regular file
     */
    public static Path check(FileOps fs, Path target) throws IOException {
        Objects.requireNonNull(target, "target");
        Path absolute = target.toAbsolutePath().normalize();
        String name = fileName(absolute);
        if (TempNames.isReserved(name)) {
            throw new IllegalArgumentException("the file name " + name + " is reserved for cancelkit's temporary "
                    + "files, transaction records and lock; choose another name");
        }
        Path directory = Objects.requireNonNull(absolute.getParent());
        requireDirectory(fs, directory, "the target's directory ");
        FileOps.Kind kind = fs.kind(absolute);
        if (kind != FileOps.Kind.FILE && kind != FileOps.Kind.MISSING) {
            throw new FileSystemException(absolute.toString(), null, "is not a regular file (a directory, a "
                    + "symbolic link or a device); cancelkit replaces regular files only: to write through a "
                    + "link, pass target.toRealPath()");
        }
        return absolute;
    }

    /**
     * Checks that {@code directory} is a directory itself, not a symbolic link to one.
     *
     * @param fs the file system
     * @param directory the directory, absolute
     * @param role how to name it in a message ({@code "the target's directory "}), or empty
     * @throws IOException when it is missing, a link or not a directory
     */
    public static void requireDirectory(FileOps fs, Path directory, String role) throws IOException {
        switch (fs.kind(directory)) {
            case DIRECTORY -> { }
            case LINK -> throw new FileSystemException(directory.toString(), null, role + "is a symbolic link. "
                    + "cancelkit refuses a linked directory: recovery, the lock and the temporary files act on the "
                    + "directory's entries, and whoever can change the link could send them to another directory "
                    + "between two calls. Pass the real directory (directory.toRealPath(), after checking that it "
                    + "is the one you mean)");
            case MISSING -> throw new NoSuchFileException(directory.toString(), null, role + "does not exist; "
                    + "create it first");
            default -> throw new FileSystemException(directory.toString(), null, role + "is not a directory");
        }
    }

    static String fileName(Path absolute) {
        Path name = absolute.getFileName();
        if (name == null) {
            throw new IllegalArgumentException("the target " + absolute + " has no file name");
        }
        return name.toString();
    }

    /**
     * Returns true while a writer of this process uses {@code temp}.
     *
     * @param temp a temporary file, absolute
     * @return true while a writer of this process uses it
     */
    static boolean inUse(Path temp) {
        return LIVE.contains(temp);
    }
}
