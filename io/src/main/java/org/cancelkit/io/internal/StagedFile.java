package org.cancelkit.io.internal;

import java.nio.file.Path;

/**
 * A file staged by {@link Replacement#stage()} for a multi-file commit: its temporary file is complete and
 * synced, and its length and SHA-256 are what the journal records and recovery checks (F5).
 *
 * @param target the target
 * @param temp its temporary file, complete and synced
 * @param length the content's length
 * @param sha256 the content's SHA-256
 */
public record StagedFile(Path target, Path temp, long length, byte[] sha256) {}
