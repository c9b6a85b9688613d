package org.cancelkit;

import java.util.concurrent.locks.LockSupport;

/**
 * Library waits: park until a token is cancelled. A waiter is a listener that unparks its thread;
 * the wait is counted as parked on a virtual clock so tests can see it.
 */
final class Waits {
    private Waits() {}

    /** Unparks a waiting thread. */
    static final class Waiter extends Link {
        final Thread thread = Thread.currentThread();

        @Override
        void onCancel(Cancel cancel) {
            LockSupport.unpark(thread);
        }

        @Override
        boolean fast() {
            return true;
        }
    }

    /**
     * Parks until {@code token} is cancelled. Also returns (by throwing) when the token this thread is
     * bound to is cancelled, soft or hard: every library wait is a cancellation point.
     */
    static void await(CancellationToken token) throws InterruptedException {
        CancellationPoints.reached();
        if (token.isCancelled()) {
            return;
        }
        CancellationToken bound = Binding.currentToken();
        boolean watchBound = bound != token && bound != CancellationToken.NEVER;
        if (watchBound) {
            bound.throwIfCancelled();
        }
        Waiter w = new Waiter();
        if (!TokenTree.link(token, w)) {
            return;
        }
        Waiter wb = null;
        if (watchBound) {
            wb = new Waiter();
            if (!TokenTree.link(bound, wb)) {
                TokenTree.unlink(token, w);
                bound.throwIfCancelled();
            }
        }
        MonotonicClock clock = token.clock();
        clock.parked(1);
        try {
            while (!token.isCancelled()) {
                if (watchBound) {
                    bound.throwIfCancelled();
                }
                if (Thread.currentThread().isInterrupted()) {
                    // Not ours: a library interrupt means the bound token is cancelled, caught above.
                    Thread.interrupted();
                    throw new InterruptedException("interrupted while waiting for cancellation");
                }
                LockSupport.park(token);
            }
        } finally {
            clock.parked(-1);
            TokenTree.unlink(token, w);
            if (wb != null) {
                TokenTree.unlink(bound, wb);
            }
        }
    }
}
