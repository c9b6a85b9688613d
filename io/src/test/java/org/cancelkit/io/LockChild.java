package org.cancelkit.io;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process for {@link ExclusiveLockTest}: tries once to take the lock of a file and prints
 * {@code ACQUIRED <pid>} or {@code BUSY <holder>}. With {@code hold}, keeps an acquired lock until a
 * line arrives on its standard input.
 *
 * <p>Arguments: the lock file, then {@code try} or {@code hold}.
 */
public final class LockChild {
    private LockChild() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        try (ExclusiveLock _ = ExclusiveLock.acquire(file, Duration.ZERO)) {
            System.out.println("ACQUIRED " + ProcessHandle.current().pid());
            System.out.flush();
            if (args[1].equals("hold")) {
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            }
        } catch (LockHeldException e) {
            System.out.println("BUSY " + e.holder());
        }
    }
}
