package org.cancelkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The installed {@link ContextCarrier}s, and how work handed to another thread takes its context
 * along: {@link TaskGroup#fork} does it for every task; other code captures on the handing thread
 * and runs the work with {@link Snapshot#call}.
 *
 * {@snippet :
 * ForkContext.Snapshot context = ForkContext.capture();   // on the request's thread
 * executor.execute(() -> context.run(() -> handle(request)));
 * }
 *
 * <p>With no carrier installed, {@link #capture()} is one volatile read and returns a shared empty
 * snapshot. Thread-safe: carriers may be installed and removed at any time; a capture sees those
 * installed when it ran.
 */
public final class ForkContext {
    private ForkContext() {}

    private static final ContextCarrier[] NONE = new ContextCarrier[0];
    /** Copy-on-write; written under the class monitor, read anywhere. */
    private static volatile ContextCarrier[] carriers = NONE;
    private static final Snapshot EMPTY = new Snapshot(new ContextCarrier.Captured[0]);

    /**
     * Installs a carrier for every capture from now on.
     *
     * @param carrier the carrier
     * @return the installation: close it to remove the carrier again
     */
    public static synchronized Installation install(ContextCarrier carrier) {
        Objects.requireNonNull(carrier, "carrier");
        ContextCarrier[] now = Arrays.copyOf(carriers, carriers.length + 1);
        now[now.length - 1] = carrier;
        carriers = now;
        return new Installation(carrier);
    }

    /** An installed carrier; closing it removes the carrier (idempotent). */
    public static final class Installation implements AutoCloseable {
        private final ContextCarrier carrier;
        /** Guarded by the class monitor of {@link ForkContext}. */
        private boolean removed;

        private Installation(ContextCarrier carrier) {
            this.carrier = carrier;
        }

        /** Removes the carrier: captures from now on no longer include it. */
        @Override
        public void close() {
            synchronized (ForkContext.class) {
                if (removed) {
                    return;
                }
                removed = true;
                List<ContextCarrier> left = new ArrayList<>(Arrays.asList(carriers));
                left.remove(carrier);
                carriers = left.toArray(NONE);
            }
        }
    }

    /**
     * Captures every installed carrier's context on this thread.
     *
     * @return the snapshot to run work with on another thread
     */
    public static Snapshot capture() {
        ContextCarrier[] cs = carriers;
        if (cs.length == 0) {
            return EMPTY;
        }
        ContextCarrier.Captured[] captured = new ContextCarrier.Captured[cs.length];
        for (int i = 0; i < cs.length; i++) {
            captured[i] = Objects.requireNonNull(cs[i].capture(), "a ContextCarrier returned null from capture()");
        }
        return new Snapshot(captured);
    }

    /** Context captured on one thread, to apply around work on another. Immutable. */
    public static final class Snapshot {
        private final ContextCarrier.Captured[] captured;

        private Snapshot(ContextCarrier.Captured[] captured) {
            this.captured = captured;
        }

        /** Whether nothing was captured: {@link #call} then only calls the body. */
        boolean isEmpty() {
            return captured.length == 0;
        }

        /**
         * Runs {@code body} on this thread with the captured context applied, and undoes it after, in
         * reverse order, also when the body fails.
         *
         * @param body the work
         * @param <T> its value
         * @param <X> the checked exception it may throw
         * @return what the body returned
         * @throws X what the body threw
         */
        public <T, X extends Exception> T call(CheckedCallable<T, X> body) throws X {
            if (captured.length == 0) {
                return body.call();
            }
            Runnable[] undo = new Runnable[captured.length];
            int applied = 0;
            try {
                for (; applied < captured.length; applied++) {
                    undo[applied] = captured[applied].apply();
                }
                return body.call();
            } finally {
                for (int i = applied - 1; i >= 0; i--) {
                    if (undo[i] != null) {
                        undo[i].run();
                    }
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
            call(() -> {
                body.run();
                return null;
            });
        }
    }
}
