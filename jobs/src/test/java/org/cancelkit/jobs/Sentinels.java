package org.cancelkit.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A tree of files that must not change: everything under {@code root} except {@code excluded} (the
 * directory under test), each file by its content's SHA-256, each link by where it points, each
 * directory by its presence. Walks without following links.
 */
final class Sentinels {
    private final Path root;
    private final Path excluded;
    private final Map<String, String> before;

    private Sentinels(Path root, Path excluded) {
        this.root = root;
        this.excluded = excluded;
        this.before = snapshot(root, excluded);
    }

    static Sentinels of(Path root, Path excluded) {
        return new Sentinels(root, excluded);
    }

    void assertUntouched() {
        assertThat(snapshot(root, excluded)).as("files outside " + excluded).isEqualTo(before);
    }

    /** Everything under {@code dir}, described. */
    static Map<String, String> snapshot(Path dir) {
        return snapshot(dir, null);
    }

    private static Map<String, String> snapshot(Path root, Path excluded) {
        Map<String, String> seen = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (excluded != null && p.startsWith(excluded) && !p.equals(excluded)) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String what = a.isSymbolicLink() ? "link to " + Files.readSymbolicLink(p)
                        : a.isDirectory() ? "directory"
                        : a.isRegularFile() ? "file " + sha256(Files.readAllBytes(p)) : "other";
                seen.put(root.relativize(p).toString(), what);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return seen;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform has SHA-256", e);
        }
    }
}
