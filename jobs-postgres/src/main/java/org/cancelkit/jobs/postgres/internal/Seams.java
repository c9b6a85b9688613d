package org.cancelkit.jobs.postgres.internal;

/**
 * Switches for the tests' negative controls only: with either one off, the tests must find duplicated
 * output, which proves they can fail. Always on in real use; nothing public reaches them.
 *
 * <p>Written before any worker starts (a test's {@code main} or set-up), read by the workers.
 */
public final class Seams {
    /** The lease epoch and owner are checked in the commit's transaction (the fence). */
    public static volatile boolean fencing = true;
    /** A claim takes only a partition whose lease is free or expired. */
    public static volatile boolean leaseCheck = true;

    private Seams() {}
}
