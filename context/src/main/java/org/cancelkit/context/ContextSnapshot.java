package org.cancelkit.context;

import java.util.Objects;
import org.cancelkit.CheckedCallable;
import org.cancelkit.CheckedRunnable;

/**
 * The context of every installed {@link ContextCarrier}, captured on one thread
 * ({@link ContextPropagation#capture()}), to apply around work on another.
 *
 * <p>Immutable and thread-safe; it may be applied any number of times, on any threads, also at once.
 */
public final class ContextSnapshot {
    static final ContextSnapshot EMPTY = new ContextSnapshot(new ContextCarrier.Captured[0]);

    private final ContextCarrier.Captured[] captured;

    ContextSnapshot(ContextCarrier.Captured[] captured) {
        this.captured = captured;
    }

    /**
     * Tells whether no carrier was installed when this snapshot was taken.
     *
     * @return true when applying it changes nothing
     */
    public boolean isEmpty() {
        return captured.length == 0;
    }

    /**
     * Runs {@code body} on this thread with the captured context applied, and restores the thread's
     * own context after, in the reverse order of the carriers, also when the body or a later
     * carrier's {@code apply} fails.
     *
     * @param body the work
     * @param <T> its value
     * @param <X> the checked exception it may throw
     * @return what the body returned
     * @throws X what the body threw
     */
    public <T, X extends Exception> T call(CheckedCallable<T, X> body) throws X {
        Objects.requireNonNull(body, "body");
        if (captured.length == 0) {
            return body.call();
        }
        Runnable[] undo = new Runnable[captured.length];
        int applied = 0;
        try {
            for (; applied < captured.length; applied++) {
                undo[applied] = Objects.requireNonNull(captured[applied].apply(),
                        "a ContextCarrier's apply() returned null; return a no-op Runnable when there is nothing to undo");
            }
            return body.call();
        } finally {
            // Invariant: every carrier whose apply() returned is undone, on this thread, in reverse order.
            for (int i = applied - 1; i >= 0; i--) {
                undo[i].run();
            }
        }
    }

    /**
     * Runs {@code body} with the captured context applied; see {@link #call}.
     *
     * @param body the work
     * @param <X> the checked exception it may throw
     * @throws X what the body threw
     */
    public <X extends Exception> void run(CheckedRunnable<X> body) throws X {
        Objects.requireNonNull(body, "body");
        call(() -> {
            body.run();
            return null;
        });
    }

    @Override
    public String toString() {
        return "ContextSnapshot[" + captured.length + " carriers]";
    }
}
