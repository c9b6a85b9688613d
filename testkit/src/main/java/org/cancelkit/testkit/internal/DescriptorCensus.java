package org.cancelkit.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The open file descriptors of this process, read from {@code /proc/self/fd} (Linux; empty where
 * that directory does not exist). Each entry maps a descriptor number to what it refers to: a path,
 * {@code socket:[inode]}, {@code pipe:[inode]}, {@code anon_inode:[eventpoll]}.
 *
 * <p>Thread-safe (stateless).
 */
public final class DescriptorCensus {
    private static final Path FDS = Path.of("/proc/self/fd");

    private DescriptorCensus() {}

    /**
     * Returns whether this platform has {@code /proc/self/fd}.
     *
     * @return whether this platform has {@code /proc/self/fd}
     */
    public static boolean available() {
        return Files.isDirectory(FDS);
    }

    /**
     * Takes a census of the open descriptors; the descriptor of the listing itself is left out.
     *
     * @return descriptor number to target, or empty where {@code /proc/self/fd} does not exist
     */
    public static Optional<Map<Integer, String>> take() {
        if (!available()) {
            return Optional.empty();
        }
        Map<Integer, String> fds = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(FDS)) {
            for (Path p : dir) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    continue; // closed between the listing and the read: not open any more
                }
                if (target.startsWith("/proc/") && target.endsWith("/fd")) {
                    continue; // the listing's own descriptor
                }
                fds.put(Integer.parseInt(p.getFileName().toString()), target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + FDS, e);
        }
        return Optional.of(fds);
    }
}
