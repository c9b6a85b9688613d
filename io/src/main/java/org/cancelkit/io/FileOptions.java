package org.cancelkit.io;

import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Settings of {@link AtomicFileWriter}, {@link FileTransaction}, {@link AtomicFiles}: an immutable
 * value, changed by {@code withX} copies.
 *
 * {@snippet :
 * FileOptions options = FileOptions.defaults()
 *         .withNewFilePermissions(PosixFilePermissions.fromString("rw-------"))
 *         .withLockTimeout(Duration.ofSeconds(5));
 * try (FileTransaction tx = FileTransaction.begin(dir, options)) { ... }
 * }
 *
 * @param cleanupBudget how long cleanup may take: removing a temporary file on abort, and finishing a
 *     commit past its point of no return (the directory sync after the rename). It runs shielded from
 *     cancellation (C6) and this budget bounds it. Default 30 seconds. {@link Duration#ZERO} leaves no
 *     time at all: removals still happen (they do not block), but every directory sync after a rename is
 *     then cut short and reported as an {@link IncompleteCommitException}.
 * @param lockTimeout how long {@link FileTransaction#begin} and {@link AtomicFiles#recover} wait for
 *     the directory's lock when another process or thread holds it; {@link Duration#ZERO} tries once.
 *     Default 30 seconds.
 * @param newFilePermissions the POSIX permissions of a file that did not exist before, or null for the
 *     default ({@code rw-rw-rw-} less the process umask). A replaced file always keeps its own.
 * @param stepListener told of each {@link CommitStep} as it completes, on the committing thread. It
 *     must be quick and should not throw: an exception before the point of no return aborts the
 *     commit like an I/O error; after it, the exception goes to the thread's uncaught-exception handler
 *     and the commit carries on. Default: does nothing.
 */
public record FileOptions(Duration cleanupBudget, Duration lockTimeout,
                          @Nullable Set<PosixFilePermission> newFilePermissions,
                          Consumer<CommitStep> stepListener) {

    private static final Consumer<CommitStep> NOTHING = step -> { };
    private static final FileOptions DEFAULTS =
            new FileOptions(Duration.ofSeconds(30), Duration.ofSeconds(30), null, NOTHING);

    /**
     * Validates the settings.
     *
     * @throws NullPointerException when an argument other than {@code newFilePermissions} is null
     * @throws IllegalArgumentException when a duration is negative
     */
    public FileOptions {
        requireNotNegative(cleanupBudget, "cleanupBudget");
        requireNotNegative(lockTimeout, "lockTimeout");
        newFilePermissions = newFilePermissions == null ? null : Set.copyOf(newFilePermissions);
        Objects.requireNonNull(stepListener, "stepListener");
    }

    private static void requireNotNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d
                    + "; use Duration.ZERO for \"do not wait\"");
        }
    }

    /**
     * Returns the defaults: 30 s cleanup budget, 30 s lock timeout, default permissions, no listener.
     *
     * @return the defaults
     */
    public static FileOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy with another cleanup budget.
     *
     * @param budget not negative
     * @return the copy
     */
    public FileOptions withCleanupBudget(Duration budget) {
        return new FileOptions(budget, lockTimeout, newFilePermissions, stepListener);
    }

    /**
     * Returns a copy with another lock timeout.
     *
     * @param timeout not negative; zero tries once
     * @return the copy
     */
    public FileOptions withLockTimeout(Duration timeout) {
        return new FileOptions(cleanupBudget, timeout, newFilePermissions, stepListener);
    }

    /**
     * Returns a copy that gives new files these permissions.
     *
     * @param permissions the permissions, or null for the default
     * @return the copy
     */
    public FileOptions withNewFilePermissions(@Nullable Set<PosixFilePermission> permissions) {
        return new FileOptions(cleanupBudget, lockTimeout, permissions, stepListener);
    }

    /**
     * Returns a copy with a step listener.
     *
     * @param listener told of each step
     * @return the copy
     */
    public FileOptions withStepListener(Consumer<CommitStep> listener) {
        return new FileOptions(cleanupBudget, lockTimeout, newFilePermissions, listener);
    }
}
