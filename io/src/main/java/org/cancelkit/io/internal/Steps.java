package org.cancelkit.io.internal;

import org.cancelkit.io.CommitStep;
import org.cancelkit.io.FileOptions;

/** Reports protocol steps to the options' listener. */
final class Steps {
    private Steps() {}

    /** Before the point of no return a failing listener aborts the commit, like an I/O error. */
    static void beforePointOfNoReturn(FileOptions options, CommitStep step) {
        options.stepListener().accept(step);
    }

    /** After the point of no return a failing listener must not turn a commit into a failure. */
    static void afterPointOfNoReturn(FileOptions options, CommitStep step) {
        try {
            options.stepListener().accept(step);
        } catch (RuntimeException e) {
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
        }
    }
}
