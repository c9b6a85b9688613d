package org.cancelkit.jobs;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The child of {@link JobLockTest}: runs the test job of a directory once and prints {@code RAN} when
 * it ran, or {@code REFUSED <message>} when its lock was held.
 *
 * <p>Arguments: directory, item count.
 */
public final class SecondRunChild {
    private SecondRunChild() {}

    public static void main(String[] args) throws Exception {
        Job<Integer, Fixtures.Tally> job = Fixtures.job(Path.of(args[0]), Integer.parseInt(args[1]),
                Fixtures.writeLine());
        try {
            job.run();
            System.out.println("RAN");
        } catch (IOException e) {
            System.out.println("REFUSED " + e.getMessage().replace('\n', ' '));
        }
    }
}
