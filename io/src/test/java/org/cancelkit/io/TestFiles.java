package org.cancelkit.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.cancelkit.io.internal.TempNames;

/** Small helpers shared by the io tests. */
final class TestFiles {
    private TestFiles() {}

    /** Names in {@code dir} that cancelkit made and recovery should have removed: all reserved ones but the lock. */
    static List<String> leftovers(Path dir) {
        return leftovers(names(dir));
    }

    static List<String> leftovers(List<String> names) {
        return names.stream().filter(n -> TempNames.isReserved(n) && !n.equals(TempNames.LOCK)).toList();
    }

    static List<String> names(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
