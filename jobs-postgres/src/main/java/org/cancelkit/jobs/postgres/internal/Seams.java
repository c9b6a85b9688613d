package org.cancelkit.jobs.postgres.internal;

/**
 * Switches for the tests' negative controls only: with the fence or the lease check off, the tests must
 * find duplicated output; with LISTEN off, a cancel must still arrive by polling, and not at all without
 * it; which proves the tests can fail. Always on in real use; nothing public reaches them.
 *
 * <p>Written before any worker starts (a test's {@code main} or set-up), read by the workers.
 */
public final class Seams {
    /** The lease epoch and owner are checked in the commit's transaction (the fence). */
    public static volatile boolean fencing = true;
    /** A claim takes only a partition whose lease is free or expired, and a renewal checks the owner. */
    public static volatile boolean leaseCheck = true;

    /** Workers LISTEN for the job's notifications (off: they hear a cancel only by polling). */
    public static volatile boolean listen = true;

    private Seams() {}
}
