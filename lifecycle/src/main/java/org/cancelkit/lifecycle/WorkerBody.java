package org.cancelkit.lifecycle;

import org.cancelkit.CancellationToken;

/**
 * What a {@link Worker} does: a long-running body given its token. It runs bound to the token (a
 * hard cancel interrupts it at its blocking calls) and should return once the token is cancelled.
 *
 * {@snippet :
 * WorkerBody poller = token -> {
 *     while (!token.isCancelled()) {
 *         pollOnce();
 *         Cancellation.sleep(Duration.ofSeconds(1));   // throws CancelledException at the soft cancel
 *     }
 * };
 * }
 *
 * <p>Returning normally or with {@link org.cancelkit.CancelledException} once the token is cancelled is
 * a clean stop; any other exception is a failure and is reported with the worker.
 */
@FunctionalInterface
public interface WorkerBody {
    /**
     * Runs until {@code token} is cancelled (or until the work is done).
     *
     * @param token the worker's token: a child of its group's (or the application's) token, read-only
     *     (the application, which created it, cancels it at shutdown)
     * @throws Exception a failure; see {@link Application.Builder#onFailure}
     */
    void run(CancellationToken token) throws Exception;
}
