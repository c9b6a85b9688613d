package org.cancelkit.testkit;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cancelkit.Cancellation;
import org.cancelkit.CheckedRunnable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worked example of testkit/README.md, as a test: an unsafe writeUserData (the final file
 * written in place) fails the explorer, the safe version passes (F1: old or new, never torn; F3: no temp file
 * left). ReadmeTest checks that the README shows exactly this code.
 */
class WriteUserDataExampleTest {
    private static final byte[] NEW = "new".getBytes(US_ASCII);

    // tag::unsafe[]
    /** An unsafe writeUserData: writes the final file in place, step by step. */
    static void writeUserData(Path dir, long id, byte[] data) throws IOException {
        Path target = dir.resolve("user_" + id + ".data");
        try (FileChannel file = FileChannel.open(target, CREATE, TRUNCATE_EXISTING, WRITE)) {
            Cancellation.check();                    // cancelled here: the file is empty
            file.write(ByteBuffer.wrap("HEADER:".getBytes(US_ASCII)));
            Cancellation.check();                    // cancelled here: a header and no data
            file.write(ByteBuffer.wrap(data));
            Cancellation.check();                    // cancelled here: written, not synced
            file.force(true);
        }
    }
    // end::unsafe[]

    // tag::safe[]
    /** The safe version: write a temp file, sync it, check, then rename it over the target. */
    static void writeUserDataSafe(Path dir, long id, byte[] data) throws IOException {
        Path target = dir.resolve("user_" + id + ".data");
        Path tmp = dir.resolve("user_" + id + ".data.cancelkit.tmp");
        try {
            try (FileChannel file = FileChannel.open(tmp, CREATE, TRUNCATE_EXISTING, WRITE)) {
                Cancellation.check();
                file.write(ByteBuffer.wrap("HEADER:".getBytes(US_ASCII)));
                Cancellation.check();
                file.write(ByteBuffer.wrap(data));
                Cancellation.check();
                file.force(true);
            }
            Cancellation.check();                    // the last moment to give up: nothing replaced yet
            Files.move(tmp, target, ATOMIC_MOVE, REPLACE_EXISTING);  // old or new, never torn
        } catch (Throwable e) {
            Files.deleteIfExists(tmp);               // cancelled or failed: leave nothing behind
            throw e;
        }
    }
    // end::safe[]

    @TempDir
    Path dir;

    // tag::explorer[]
    ExplorationReport explore(CheckedRunnable<?> write) {
        Path target = dir.resolve("user_7.data");
        return CancellationExplorer.explore(write)
                .before(() -> Files.writeString(target, "HEADER:old"))   // every run starts here
                .check("user_7.data is the old or the new content, whole",
                        () -> assertThat(Files.readString(target)).isIn("HEADER:old", "HEADER:new"))
                .check("a write that returned is visible", run -> {
                    if (run.completed()) {
                        assertThat(Files.readString(target)).isEqualTo("HEADER:new");
                    }
                })
                .checkLeaks(Leaks.of(Leak.REGISTRATIONS).withTempFiles(TempFiles.in(dir)))  // no temp file left
                .run();
    }

    @Test
    void theUnsafeWriteIsTornWhenCancelledAtItsFirstTwoPoints() {
        ExplorationReport report = explore(() -> writeUserData(dir, 7, NEW));
        assertThat(report.points()).isEqualTo(3);
        assertThat(report.brokenPoints()).containsExactly(1, 2);
        assertThatThrownBy(report::assertAllHeld).hasMessageContaining("user_7.data is the old or the new content");
    }

    @Test
    void theSafeWriteHoldsAtEveryPoint() {
        ExplorationReport report = explore(() -> writeUserDataSafe(dir, 7, NEW));
        assertThat(report.points()).isEqualTo(4);
        report.assertAllHeld();
    }
    // end::explorer[]

    @Test
    void theSafeWriteAlsoSurvivesAFailureAtEveryPoint() {
        Path target = dir.resolve("user_7.data");
        CancellationExplorer.explore(() -> writeUserDataSafe(dir, 7, NEW))
                .before(() -> Files.writeString(target, "HEADER:old"))
                .injecting(() -> new IOException("No space left on device"))
                .check("user_7.data is the old or the new content, whole",
                        () -> assertThat(Files.readString(target)).isIn("HEADER:old", "HEADER:new"))
                .checkLeaks(Leaks.none().withTempFiles(TempFiles.in(dir)))
                .run()
                .assertAllHeld();
    }
}
