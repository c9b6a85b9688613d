package org.cancelkit.jobs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.cancelkit.jobs.Fixtures.Tally;

/**
 * The child of {@link KillDuringJobTest}: runs the test job in a directory and prints {@code READY},
 * then {@code CP n} after each checkpoint and {@code DONE} at the end. Each item hashes its line a few
 * times, so that the job takes long enough to be killed anywhere in it.
 *
 * <p>Arguments: directory, item count, items per checkpoint, hash rounds per item.
 */
public final class JobChild {
    private JobChild() {}

    /**
     * Runs the job.
     *
     * @param args directory, item count, items per checkpoint, hash rounds per item
     * @throws Exception when the job fails (printed on standard error, exit status 1)
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        int every = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        Job<Integer, Tally> job = Fixtures.job(dir, n, work(rounds)).withOptions(JobOptions.defaults()
                .withCheckpointEveryItems(every).withListener(p -> {
                    if (p.event() == Progress.Event.CHECKPOINT) {
                        System.out.println("CP " + p.done());
                    }
                }));
        System.out.println("READY");
        job.run();
        System.out.println("DONE");
    }

    /** The fixture's line per item, after some hashing that stands for real work. */
    static ItemProcessor<Integer, Tally> work(int rounds) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        return (index, item, tally, out) -> {
            String line = Fixtures.line(index, item);
            byte[] h = line.getBytes(StandardCharsets.UTF_8);
            for (int r = 0; r < rounds; r++) {
                h = sha.digest(h);
            }
            if (h.length != 32) {
                throw new IllegalStateException("digest");
            }
            out.print(line);
            return tally.add(item);
        };
    }
}
