package org.cancelkit.jobs;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A one-line text rendering of {@link Progress}, for a terminal or a log:
 * {@code [##########..........]  100/200  50.0%  12.5 items/s  ETA 8.0 s}; and
 * {@linkplain #printer(Duration) a listener} that prints it at a bounded rate.
 *
 * <p>{@link #line} is stateless and thread-safe.
 */
public final class ProgressBar {
    private ProgressBar() {}

    /**
     * Renders one line.
     *
     * @param progress the event
     * @param width the number of cells of the bar, 1 or more
     * @return the line, without a line break
     * @throws IllegalArgumentException when {@code width} is less than 1
     */
    public static String line(Progress progress, int width) {
        Objects.requireNonNull(progress, "progress");
        if (width < 1) {
            throw new IllegalArgumentException("width must be 1 or more cells, was " + width);
        }
        int filled = (int) Math.min(width, Math.floor(progress.fraction() * width));
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String eta = progress.eta() == null ? "ETA ?" : "ETA " + seconds(progress.eta());
        return String.format(Locale.ROOT, "[%s]  %d/%d  %.1f%%  %.1f items/s  %s", bar, progress.done(),
                progress.total(), progress.fraction() * 100, progress.itemsPerSecond(), eta);
    }

    /**
     * Returns a listener that shows a job's progress on {@code System.out}: on a terminal one line
     * redrawn in place, otherwise (a log, a pipe) a line at most every {@code every}.
     *
     * @param every the least time between two lines of item progress, on the job's clock
     * @return a listener to pass to {@link JobOptions#withListener}
     * @see #printer(PrintStream, Duration, boolean)
     */
    public static ProgressListener printer(Duration every) {
        java.io.Console console = System.console();
        return printer(System.out, every, console != null && console.isTerminal());
    }

    /**
     * Returns a listener that prints a job's progress at a bounded rate. The start ({@code started},
     * or {@code resumed at item N of M} after a checkpoint) and the end ({@code completed} or
     * {@code stopped}) are always printed; item progress and checkpoints at most once per
     * {@code every} of the job's clock ({@link Progress#elapsed()}), so a job of a million fast
     * items prints a few lines, not a million. With {@code redrawInPlace} the bar is redrawn on one
     * line ({@code \r}), as on a terminal; the start and the end get lines of their own.
     *
     * <p>Confined to the job's thread, like every listener; use one printer per job.
     *
     * @param out where to print
     * @param every the least time between two lines of item progress, on the job's clock; zero prints every event
     * @param redrawInPlace redraw one line with carriage returns (a terminal) instead of printing lines (a log)
     * @return a listener to pass to {@link JobOptions#withListener}
     * @throws IllegalArgumentException when {@code every} is negative
     */
    public static ProgressListener printer(PrintStream out, Duration every, boolean redrawInPlace) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(every, "every");
        if (every.isNegative()) {
            throw new IllegalArgumentException("every must be zero or more, was " + every);
        }
        return new Printer(out, every.toNanos(), redrawInPlace);
    }

    /** The listener {@link #printer} returns. Invariant: {@code lastNanos} is the elapsed time of the last line shown. */
    private static final class Printer implements ProgressListener {
        private static final int WIDTH = 30;
        private final PrintStream out;
        private final long everyNanos;
        private final boolean inPlace;
        private long lastNanos;
        /** The length of the line being redrawn in place, 0 when none is open. */
        private int openLength;

        Printer(PrintStream out, long everyNanos, boolean inPlace) {
            this.out = out;
            this.everyNanos = everyNanos;
            this.inPlace = inPlace;
        }

        @Override
        public void onProgress(Progress p) {
            long now = p.elapsed().toNanos();
            switch (p.event()) {
                case STARTED -> start("started: " + p.total() + " items", now);
                case RESUMED -> start("resumed at item " + p.done() + " of " + p.total() + " (from the checkpoint)", now);
                case COMPLETED -> end("completed " + line(p, WIDTH));
                case STOPPED -> end("stopped   " + line(p, WIDTH) + " (checkpoint saved: run again to resume)");
                case ITEM_DONE, CHECKPOINT -> {
                    if (now - lastNanos >= everyNanos) {
                        lastNanos = now;
                        show(line(p, WIDTH));
                    }
                }
            }
        }

        private void start(String text, long now) {
            lastNanos = now;
            end(text);
        }

        private void show(String text) {
            if (inPlace) {
                out.print("\r" + text + " ".repeat(Math.max(0, openLength - text.length())));
                openLength = Math.max(1, text.length());
            } else {
                out.println(text);
            }
            out.flush();
        }

        private void end(String text) {
            if (openLength > 0) {
                out.println();
                openLength = 0;
            }
            out.println(text);
            out.flush();
        }
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }
}
