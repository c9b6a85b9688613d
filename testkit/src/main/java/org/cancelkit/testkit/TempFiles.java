package org.cancelkit.testkit;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where the temp-file leak check ({@link Leak#TEMP_FILES}) looks, and for which names.
 *
 * {@snippet :
 * TempFiles.defaults();                                   // java.io.tmpdir, its own entries only
 * TempFiles.in(dir);                                      // dir and everything below it
 * TempFiles.in(dir).withGlob("*.part");                   // another naming scheme
 * }
 *
 * <p>A file is a leak when its name matches {@link #glob()}, it lies in one of {@link #directories()}
 * no deeper than {@link #depth()} (1: the directory's own entries), and it was not there before the
 * region. The JUnit extension also watches, to any depth, each {@code @TempDir} of the test.
 *
 * <p>Why {@code java.io.tmpdir} is watched only one level deep by default: other processes (parallel
 * builds, other forks of the same build) write there too, and a deep walk would blame their files on
 * your test. Point the check at the directories your code writes to.
 *
 * <p>Immutable and thread-safe.
 *
 * @param directories the directories to watch; may be empty
 * @param glob a glob matched against file names ({@link java.nio.file.FileSystem#getPathMatcher}
 *     syntax, without the {@code glob:} prefix)
 * @param depth how deep to look, at least 1
 */
public record TempFiles(List<Path> directories, String glob, int depth) {

    /** Names containing {@code .cancelkit-} or ending in {@code .cancelkit.tmp}: cancelkit's temp files. */
    public static final String DEFAULT_GLOB = "{*.cancelkit-*,*.cancelkit.tmp}";

    /**
     * Validates and copies.
     *
     * @param directories the directories to watch
     * @param glob a glob for file names
     * @param depth how deep to look, at least 1
     * @throws IllegalArgumentException when the glob is malformed or the depth below 1
     */
    public TempFiles {
        directories = List.copyOf(Objects.requireNonNull(directories, "directories"));
        Objects.requireNonNull(glob, "glob");
        try {
            FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed glob \"" + glob + "\": " + e.getMessage()
                    + "; write it as for FileSystem.getPathMatcher, without \"glob:\"", e);
        }
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1 (the directory's own entries), was " + depth);
        }
    }

    /**
     * Returns {@code java.io.tmpdir}, one level deep, with the {@link #DEFAULT_GLOB}.
     *
     * @return {@code java.io.tmpdir}, one level deep, with the {@link #DEFAULT_GLOB}
     */
    public static TempFiles defaults() {
        return new TempFiles(List.of(Path.of(System.getProperty("java.io.tmpdir"))), DEFAULT_GLOB, 1);
    }

    /**
     * Returns the given directories, to any depth, with the {@link #DEFAULT_GLOB}.
     *
     * @param directories the directories to watch
     * @return the given directories, to any depth, with the {@link #DEFAULT_GLOB}
     */
    public static TempFiles in(Path... directories) {
        return new TempFiles(List.of(directories), DEFAULT_GLOB, Integer.MAX_VALUE);
    }

    /**
     * Returns a copy watching these directories instead.
     *
     * @param directories the directories to watch
     * @return a copy watching these directories instead
     */
    public TempFiles withDirectories(Path... directories) {
        return new TempFiles(List.of(directories), glob, depth);
    }

    /**
     * Returns a copy matching this glob instead.
     *
     * @param glob a glob for file names
     * @return a copy matching this glob instead
     */
    public TempFiles withGlob(String glob) {
        return new TempFiles(directories, glob, depth);
    }

    /**
     * Returns a copy looking this deep.
     *
     * @param depth how deep to look, at least 1
     * @return a copy looking this deep
     */
    public TempFiles withDepth(int depth) {
        return new TempFiles(directories, glob, depth);
    }
}
