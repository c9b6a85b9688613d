/**
 * cancelkit io: files that are replaced whole or not at all, groups of files that change all together
 * or not at all across crashes, and recovery of what a crash leaves behind.
 *
 * <p>Start with {@link org.cancelkit.io.AtomicFiles}, {@link org.cancelkit.io.AtomicFileWriter} and
 * {@link org.cancelkit.io.FileTransaction}.
 */
module org.cancelkit.io {
    requires org.cancelkit;
    requires static transitive org.jspecify;

    exports org.cancelkit.io;
}
