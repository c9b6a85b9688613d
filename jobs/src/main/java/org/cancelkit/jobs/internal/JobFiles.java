package org.cancelkit.jobs.internal;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.cancelkit.jobs.CheckpointException;
import org.cancelkit.jobs.CheckpointException.Problem;

/**
 * A job's own files, opened without following symbolic links: whoever can write the job's directory
 * must not be able to make a run read, truncate or write a file elsewhere through a link planted as
 * its output or checkpoint. (The run lock gets the same care from io's lock; the checkpoint is written
 * by io's atomic writer, which refuses a link as its target.)
 */
final class JobFiles {
    private JobFiles() {}

    /**
     * Returns the size of a job's file, or -1 when it does not exist.
     *
     * @param file the file
     * @param role "output" or "checkpoint", for the message
     * @return its size, or -1
     * @throws CheckpointException when it is not a regular file
     * @throws IOException when it cannot be examined
     */
    static long size(Path file, String role) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return -1;
        }
        if (!a.isRegularFile()) {
            throw new CheckpointException(file, Problem.NOT_A_REGULAR_FILE, "the job's " + role + " is "
                    + (a.isSymbolicLink() ? "a symbolic link" : a.isDirectory() ? "a directory" : "not a regular file")
                    + "; a job reads and writes its own regular files only, never through a link, so that whoever "
                    + "can write its directory cannot send it elsewhere", "Remove it, or give the job a directory "
                    + "of its own (pass its real path)", null);
        }
        return a.size();
    }

    /**
     * Reads at most {@code max + 1} bytes of a regular file, without following a link: enough to tell
     * that it is over {@code max} without reading the rest.
     *
     * @param file the file
     * @param max the most bytes that count
     * @return its first bytes
     * @throws IOException when it cannot be read, or is a link
     */
    static byte[] read(Path file, int max) throws IOException {
        try (FileChannel ch = FileChannel.open(file, READ, LinkOption.NOFOLLOW_LINKS);
             InputStream in = Channels.newInputStream(ch)) {
            return in.readNBytes(max == Integer.MAX_VALUE ? max : max + 1);
        }
    }

    /**
     * Opens (creating) the output for writing, without following a link; {@link #size} has refused a
     * link, a fifo or a device already, and a link planted since fails to open.
     *
     * @param output the output file
     * @return the channel
     * @throws IOException when it cannot be opened
     */
    static FileChannel openOutput(Path output) throws IOException {
        size(output, "output");
        return FileChannel.open(output, CREATE, WRITE, LinkOption.NOFOLLOW_LINKS);
    }
}
