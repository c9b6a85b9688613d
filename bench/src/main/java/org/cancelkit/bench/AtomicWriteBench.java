package org.cancelkit.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cancelkit.io.AtomicFiles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Replacing a file atomically and durably, {@code size} bytes, one thread, in a fresh directory under
 * {@code bench/target} (the disk the repository is on; {@code -Dbench.dir=...} elsewhere):
 *
 * <ul>
 *   <li>{@code cancelkit}: {@code AtomicFiles.write(target, bytes)}.</li>
 *   <li>{@code byHand} (the reference): the bare minimum by hand: write a temporary file in the same
 *       directory, {@code force(true)}, {@code Files.move(ATOMIC_MOVE)} over the target, then fsync the
 *       directory.</li>
 *   <li>{@code filesWrite}: {@code Files.write(target, bytes)}, neither atomic nor durable (context).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AtomicWriteBench {
    /** Bytes per write: 4 KiB and 1 MiB. */
    @Param({"4096", "1048576"})
    public int size;

    private byte[] bytes = new byte[0];
    private Path dir = Path.of(".");
    private Path target = Path.of(".");
    private Path tmp = Path.of(".");

    /**
     * Makes the content (random, so nothing compresses it) and the directory.
     *
     * @throws IOException when the directory cannot be made
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        Path base = Path.of(System.getProperty("bench.dir", "bench/target")).toAbsolutePath();
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "atomic-write-");
        target = dir.resolve("target.bin");
        tmp = dir.resolve("target.bin.tmp");
        Files.write(target, bytes);
    }

    /**
     * Removes the directory.
     *
     * @throws IOException when it cannot be removed
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * cancelkit's atomic, durable write.
     *
     * @return the target
     * @throws IOException when the write fails
     */
    @Benchmark
    public Path cancelkit() throws IOException {
        AtomicFiles.write(target, bytes);
        return target;
    }

    /**
     * The bare minimum by hand: temporary file, force, atomic rename, directory fsync.
     *
     * @return the target
     * @throws IOException when the write fails
     */
    @Benchmark
    public Path byHand() throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
        return target;
    }

    /**
     * {@code Files.write}: neither atomic nor durable.
     *
     * @return the target
     * @throws IOException when the write fails
     */
    @Benchmark
    public Path filesWrite() throws IOException {
        Files.write(target, bytes);
        return target;
    }
}
