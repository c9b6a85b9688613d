package org.cancelkit.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A child process for the kill -9 test: replaces a target with version after version (payload 1 KiB to
 * 4 MiB, log-uniform); prints {@code WRITE v} once the content is ready, just before the write starts,
 * and {@code ACK v} after the commit returns.
 *
 * <pre>
 * java ... org.cancelkit.io.ReplaceLoop &lt;target&gt; &lt;first version&gt; &lt;seed&gt; [count] [unsafe]
 * </pre>
 *
 * With a count it stops after that many versions; {@code unsafe} writes the target in place with
 * {@code Files.write} instead (the negative control: a kill then leaves it torn).
 */
public final class ReplaceLoop {
    private ReplaceLoop() {}

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        long version = Long.parseLong(args[1]);
        SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[2]));
        long count = args.length > 3 ? Long.parseLong(args[3]) : Long.MAX_VALUE;
        boolean unsafe = args.length > 4 && args[4].equals("unsafe");
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        for (long i = 0; i < count; i++) {
            version++;
            int size = (int) Math.pow(2, 10 + rnd.nextDouble() * 12); // 1 KiB .. 4 MiB
            byte[] content = Versions.content(version, size, 42);
            System.out.println("WRITE " + version);
            System.out.flush();
            if (unsafe) {
                Files.write(target, content);
            } else {
                AtomicFiles.write(target, content);
            }
            System.out.println("ACK " + version);
            System.out.flush();
        }
    }
}
