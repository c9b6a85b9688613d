package org.cancelkit.testkit.internal;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the files whose name matches a glob under some directories, to a depth. Directories that
 * do not exist, cannot be read or vanish during the walk are skipped: other processes share
 * {@code java.io.tmpdir}.
 *
 * <p>Thread-safe (stateless).
 */
public final class TempFileScan {
    private TempFileScan() {}

    /**
     * Returns the matching regular files.
     *
     * @param root the directory to walk
     * @param glob a glob for file names, as {@link java.nio.file.FileSystem#getPathMatcher} takes it
     *     after {@code "glob:"}
     * @param depth 1 for the directory's own entries, more to descend
     * @return the matching files, sorted
     */
    public static Set<Path> scan(Path root, String glob, int depth) {
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        Set<Path> found = new TreeSet<>();
        if (!Files.isDirectory(root)) {
            return found;
        }
        try {
            Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), depth, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    Path name = file.getFileName();
                    if (name != null && !attrs.isDirectory() && matcher.matches(name)) {
                        found.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // vanished or unreadable: not ours to judge
                }
            });
        } catch (IOException e) {
            // visitFileFailed swallows per-file failures; a failure here means the root went away
        }
        return found;
    }
}
