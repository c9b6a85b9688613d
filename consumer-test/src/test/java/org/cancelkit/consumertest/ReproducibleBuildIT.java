package org.cancelkit.consumertest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reproducible builds: the core module, built again from the same sources in another directory and
 * at another time (invoker's rebuild-core execution), gives jars with the same SHA-256 as the
 * reactor's. Every archive entry carries project.build.outputTimestamp, not the clock.
 */
class ReproducibleBuildIT {
    private static final Path ROOT = Path.of(System.getProperty("cancelkit.root", "..")).toAbsolutePath().normalize();
    private static final Path REBUILT = Path.of(System.getProperty("cancelkit.rebuilt", "target/rebuild"));

    @Test
    void rebuildingTheCoreGivesTheSameJars() throws Exception {
        List<Path> built = jars(ROOT.resolve("core/target"));
        assertThat(built).as("the reactor's core jars").isNotEmpty()
                .anyMatch(p -> p.getFileName().toString().endsWith("-sources.jar"));
        for (Path jar : built) {
            if (jar.getFileName().toString().endsWith("-javadoc.jar")) {
                continue; // the rebuild skips javadoc (time); the jar and the sources are compared
            }
            Path again = REBUILT.resolve("core/target").resolve(jar.getFileName());
            assertThat(again).as("the rebuild made " + jar.getFileName()).exists();
            assertThat(sha256(again)).as(jar.getFileName() + " rebuilt (" + again + " vs " + jar
                    + "): a different hash means something in the build depends on the time, the directory or"
                    + " the machine; unzip both and diff").isEqualTo(sha256(jar));
        }
    }

    /** Negative control: the comparison tells two different files apart. */
    @Test
    void differentBytesGiveDifferentHashes() throws Exception {
        Path a = Files.createTempFile("repro", ".bin");
        Path b = Files.createTempFile("repro", ".bin");
        Files.writeString(a, "built at 10:00");
        Files.writeString(b, "built at 10:01");
        assertThat(sha256(a)).isNotEqualTo(sha256(b));
        Files.delete(a);
        Files.delete(b);
    }

    private static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
