package org.cancelkit.io.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.time.Duration;
import org.cancelkit.Cancellation;
import org.cancelkit.io.FileOptions;

/** Cancellation points, shielded cleanup and exception plumbing shared by the protocols. */
final class Checks {
    private Checks() {}

    /** A file operation. */
    @FunctionalInterface
    interface IoAction {
        /**
         * Runs it.
         *
         * @throws IOException when it fails
         */
        void run() throws IOException;
    }

    /**
     * A cancellation point of the protocols: throws when the current token is cancelled, and treats an
     * interrupt from outside cancelkit the same way (the next channel operation would fail on it
     * anyway). The interrupt status is left as it is.
     */
    static void cancellation(Path what) throws InterruptedIOException {
        Cancellation.check();
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("the thread was interrupted while writing " + what + ": the write is "
                    + "abandoned, the target is unchanged, and the interrupt status is kept");
        }
    }

    /** Runs cleanup that must finish: shielded from cancellation, bounded by the cleanup budget (C6). */
    static void shielded(FileOptions options, IoAction action) throws IOException {
        shielded(options.cleanupBudget(), action);
    }

    /** Runs cleanup that must finish: shielded from cancellation, bounded by {@code budget} (C6). */
    static void shielded(Duration budget, IoAction action) throws IOException {
        Cancellation.shielded(budget, () -> {
            action.run();
        });
    }

    /**
     * Syncs a directory past the point of no return, inside a shield: an interrupt from outside
     * cancelkit (which a shield cannot hold back) closes the sync's channel, so the sync is retried with
     * the status cleared, and the status is restored afterwards. The shield's own budget still ends it.
     */
    static void syncDirectoryPastNoReturn(FileOps fs, Path directory) throws IOException {
        boolean interrupted = false;
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    fs.syncDirectory(directory);
                    return;
                } catch (ClosedByInterruptException e) {
                    if (Cancellation.isCancelled() || attempt == 3) {
                        throw e; // the cleanup budget ran out (or interrupts keep coming)
                    }
                    interrupted |= Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt(); // restore what came from outside
            }
        }
    }

    /** Returns {@code t} as an IOException to throw, or throws it when it is unchecked. */
    static IOException rethrow(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException(t);
    }
}
