package org.cancelkit;

import org.cancelkit.internal.Checkpoints;

/**
 * Every cancellation point of the core reports here before it looks at its token, so the testing
 * kit can count and enumerate them ({@link Checkpoints}).
 */
final class CancellationPoints {
    private CancellationPoints() {}

    /** An explicit check: {@link Cancellation#check()}. */
    static void check() {
        Checkpoints.reached("check");
    }

    /** A library wait: {@link Cancellation#sleep}, {@link CancellationToken#awaitCancellation()}. */
    static void reached() {
        Checkpoints.reached("wait");
    }
}
