package org.cancelkit.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A child process for the transaction crash tests, and an example of what a tour can run:
 *
 * <pre>
 * TxChild loop &lt;dir&gt; &lt;first version&gt; &lt;seed&gt;         commit versions of three files forever, ACK each
 * TxChild halt &lt;dir&gt; &lt;version&gt; &lt;seed&gt; &lt;STEP&gt; &lt;n&gt;    commit one version; die (halt, like kill -9) at the n-th STEP
 * TxChild recover-halt &lt;dir&gt; &lt;STEP&gt; &lt;n&gt;            recover the directory; die at the n-th STEP
 * TxChild hold &lt;dir&gt; &lt;version&gt;                     take the lock, print LOCKED, commit when a line arrives
 * TxChild pause &lt;dir&gt; &lt;version&gt; &lt;STEP&gt; &lt;n&gt;         commit one version; at the n-th STEP print PAUSED and
 *                                                  wait, to be killed from outside (the tour's scenario)
 * </pre>
 *
 * The three files are {@link #FILES}; file i of version v is {@code Versions.content(v, size, i)}.
 */
public final class TxChild {
    static final String[] FILES = {"app.conf", "users.db", "keys.bin"};

    private TxChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        switch (args[0]) {
            case "loop" -> {
                SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[3]));
                for (long v = Long.parseLong(args[2]) + 1; ; v++) {
                    commit(dir, v, rnd, FileOptions.defaults(), null);
                    System.out.println("ACK " + v);
                    System.out.flush();
                }
            }
            case "halt" -> {
                SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[3]));
                commit(dir, Long.parseLong(args[2]), rnd, haltAt(CommitStep.valueOf(args[4]),
                        Integer.parseInt(args[5])), null);
                System.out.println("DONE");
            }
            case "recover-halt" -> {
                AtomicFiles.recover(dir, haltAt(CommitStep.valueOf(args[2]), Integer.parseInt(args[3])));
                System.out.println("DONE");
            }
            case "pause" -> {
                commit(dir, Long.parseLong(args[2]), new SplittableRandom(1), pauseAt(CommitStep.valueOf(args[3]),
                        Integer.parseInt(args[4])), null);
                System.out.println("DONE");
            }
            case "hold" -> {
                holdThenCommit(dir, Long.parseLong(args[2]));
                System.out.println("DONE");
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.out.flush();
    }

    private static void holdThenCommit(Path dir, long version) throws Exception {
        commit(dir, version, new SplittableRandom(1), FileOptions.defaults(), () -> {
            System.out.println("LOCKED " + ProcessHandle.current().pid());
            System.out.flush();
            try {
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Options whose listener halts the JVM at the n-th {@code step}: no cleanup runs, as with kill -9. */
    static FileOptions haltAt(CommitStep step, int n) {
        int[] seen = {0};
        Consumer<CommitStep> listener = s -> {
            if (s == step && ++seen[0] == n) {
                System.out.flush();
                Runtime.getRuntime().halt(137);
            }
        };
        return FileOptions.defaults().withStepListener(listener);
    }

    /** Options whose listener, at the n-th {@code step}, prints PAUSED and blocks until killed. */
    static FileOptions pauseAt(CommitStep step, int n) {
        int[] seen = {0};
        return FileOptions.defaults().withStepListener(s -> {
            if (s == step && ++seen[0] == n) {
                System.out.println("PAUSED " + step + " " + n);
                System.out.flush();
                try {
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    private static void commit(Path dir, long version, SplittableRandom rnd, FileOptions options,
                               @Nullable Runnable afterBegin) throws Exception {
        try (FileTransaction tx = FileTransaction.begin(dir, options)) {
            if (afterBegin != null) {
                afterBegin.run();
            }
            for (int i = 0; i < FILES.length; i++) {
                tx.write(FILES[i], Versions.content(version, 1024 + rnd.nextInt(256 * 1024), i));
            }
            tx.commit();
        }
    }
}
