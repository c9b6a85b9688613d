package org.cancelkit.jobs;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A one-line text rendering of {@link Progress}, for a terminal or a log:
 * {@code [##########..........]  100/200  50.0%  12.5 items/s  ETA 8.0 s}.
 *
 * <p>Stateless and thread-safe.
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

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }
}
