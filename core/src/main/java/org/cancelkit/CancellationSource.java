package org.cancelkit;

import java.time.Duration;
import java.util.Objects;

/**
 * The owner's handle on a cancellation token: what can cancel and close it. Whoever creates a token
 * ({@link #create()}, {@link CancellationToken#child}) holds its source; code that should only
 * observe it gets {@link #token()}, which cannot cancel. {@link Cancellation#current()} never hands
 * out a source, so a callee cannot cancel or close the scope it runs in.
 *
 * {@snippet :
 * CancellationSource server = CancellationSource.create();      // long-lived root
 * try (CancellationSource request = server.child(Duration.ofSeconds(5))) {
 *     handler.handle(request.token());                          // the handler can observe, not cancel
 * }                                                             // close: unlinked from the server
 * server.cancel(CancelReason.shutdown("SIGTERM"), Duration.ofSeconds(10)); // soft, then hard
 * }
 *
 * <h2>Soft and hard</h2>
 * A hard cancel interrupts every thread bound to the token or below it at its blocking calls, and
 * keeps interrupting them (level-triggered) until they leave the bound code or enter a shield. A
 * soft cancel ({@link #cancel(CancelReason, Duration)}) is seen at once by checks, waits and
 * callbacks but interrupts nothing until its grace has passed (C8).
 *
 * <p>Thread-safe. Every argument must be non-null. A source is also a {@link CancellationToken}:
 * pass {@link #token()} rather than the source itself to code that must not cancel.
 */
public abstract sealed class CancellationSource extends CancellationToken implements AutoCloseable permits Node {
    private static final CancelReason REQUESTED = CancelReason.requested("cancel() called");

    CancellationSource() {}

    /**
     * Returns a new root token on {@link MonotonicClock#current()}, with no deadline.
     *
     * @return the new root's source
     */
    public static CancellationSource create() {
        return Node.root(MonotonicClock.current(), Scope.NONE);
    }

    /**
     * Returns a read-only handle on this token: it observes, waits, makes children and binds code,
     * but cannot cancel or close.
     *
     * @return a read-only handle on this token
     */
    @Override
    public final CancellationToken token() {
        return new TokenView(node());
    }

    /**
     * Cancels this token and its subtree, hard: threads bound to it are interrupted at once.
     *
     * @return true when this call cancelled it; false when it already was
     */
    public final boolean cancel() {
        return cancel(REQUESTED);
    }

    /**
     * Cancels with a message, hard.
     *
     * @param message why, for logs and for code that asks {@link #reason()}
     * @return true when this call cancelled it
     */
    public final boolean cancel(String message) {
        return cancel(CancelReason.requested(message));
    }

    /**
     * Cancels with a reason, hard. On a token in its grace period the reason stays the first one
     * and the cancel hardens at once.
     *
     * @param reason why
     * @return true when this call cancelled it
     */
    public final boolean cancel(CancelReason reason) {
        Objects.requireNonNull(reason, "reason");
        return node().cancel(reason, -1);
    }

    /**
     * Soft, then hard (C8): cancels now for checks, waits and callbacks, but interrupts no thread and
     * runs no cancel action until {@code grace} has passed; then behaves as a hard cancel. A hard
     * cancel of this token or an ancestor meanwhile takes effect at once, and so does a deadline that
     * passes meanwhile; the reason stays this one. Soft-cancelling a token already in a grace period
     * makes it hard when the new grace has passed, if that comes first.
     *
     * @param reason why
     * @param grace how long running code may take to finish on its own; zero makes this a hard cancel
     * @return true when this call cancelled it
     */
    public final boolean cancel(CancelReason reason, Duration grace) {
        Objects.requireNonNull(reason, "reason");
        Durations.requireTimeout(grace, "grace");
        long graceNanos = Durations.toNanosSaturated(grace);
        return node().cancel(reason, graceNanos == 0 ? -1 : graceNanos);
    }

    /**
     * Closes the token: cancels it hard with reason {@link CancelReason.Kind#CLOSED} unless it already
     * is cancelled (a soft cancel hardens), unlinks it from its parent and lets go of its timer.
     * Idempotent.
     */
    @Override
    public final void close() {
        node().cancel(CancelReason.CLOSED, -1);
    }
}
