package org.cancelkit.jobs.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * How a job's output is synced before a checkpoint counts it: {@code force(true)}. Not exported (this
 * package is internal); the module's tests replace {@link #current} to make a sync fail, and put it back.
 */
public final class OutputSync {
    /** One way to sync. */
    @FunctionalInterface
    public interface Sync {
        /**
         * Syncs the channel's content to the disk.
         *
         * @param channel the output
         * @throws IOException when the sync failed
         */
        void force(FileChannel channel) throws IOException;
    }

    /** The sync every run uses. */
    public static volatile Sync current = channel -> channel.force(true);

    private OutputSync() {}
}
