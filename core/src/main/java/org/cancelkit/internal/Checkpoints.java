package org.cancelkit.internal;

import java.util.concurrent.Callable;
import org.cancelkit.CancellationToken;
import org.cancelkit.Registration;

/**
 * Where cancellation points report to a test harness: the testing kit installs a listener here (this
 * package is exported to the kit alone) to count the cancellation points an operation passes and to
 * cancel or fail it at the k-th. Production code pays one read of a static volatile flag per point.
 *
 * <p>A listener is bound for one body with {@link #withListener}, a {@link ScopedValue}, so parallel
 * tests do not see each other's points.
 *
 * <p>The same listener also hears of every root token created and every {@code onCancel} callback
 * registered by code running under it: the kit's leak check reports registrations left pending on a
 * token that outlives the code that made them.
 */
public final class Checkpoints {
    private Checkpoints() {}

    /** Told of every cancellation point reached by code running under it. */
    @FunctionalInterface
    public interface Listener {
        /**
         * A cancellation point was reached, before it looks at its token. May cancel the current
         * token (the point then reports it) or throw (to inject a failure there).
         *
         * @param kind what kind of point: {@code "check"} or {@code "wait"}
         */
        void reached(String kind);

        /**
         * A root token (the top of a tree: {@link org.cancelkit.CancellationSource#create()}, or a timeout outside
         * any token) was created.
         *
         * @param root the new root
         */
        default void rootCreated(CancellationToken root) {}

        /**
         * An {@code onCancel} callback was registered, after it was linked (or, on a cancelled token,
         * after it ran).
         *
         * @param registration the registration
         * @param token the token it was registered on
         * @param root the root of that token's tree
         */
        default void registered(Registration registration, CancellationToken token, CancellationToken root) {}
    }

    private static final ScopedValue<Listener> LISTENER = ScopedValue.newInstance();
    /** Set once, the first time a listener is bound; read at every cancellation point. */
    private static volatile boolean installed;

    /**
     * Runs {@code body} with {@code listener} told of every cancellation point its thread reaches.
     *
     * @param listener the listener
     * @param body the code under test
     * @param <T> its value
     * @return what the body returned
     * @throws Exception what the body threw
     */
    public static <T> T withListener(Listener listener, Callable<T> body) throws Exception {
        installed = true;
        return ScopedValue.where(LISTENER, listener).call(body::call);
    }

    /**
     * Called by the core at every cancellation point.
     *
     * @param kind {@code "check"} or {@code "wait"}
     */
    public static void reached(String kind) {
        if (installed && LISTENER.isBound()) {
            LISTENER.get().reached(kind);
        }
    }

    /**
     * Returns true when a listener is bound for the running code: the core asks before it computes
     * what {@link #registered} needs.
     *
     * @return true when a listener is bound for the running code
     */
    public static boolean listening() {
        return installed && LISTENER.isBound();
    }

    /**
     * Called by the core when a root token is created.
     *
     * @param root the new root
     */
    public static void rootCreated(CancellationToken root) {
        if (installed && LISTENER.isBound()) {
            LISTENER.get().rootCreated(root);
        }
    }

    /**
     * Called by the core when an {@code onCancel} callback is registered, when {@link #listening()}.
     *
     * @param registration the registration
     * @param token the token it was registered on
     * @param root the root of that token's tree
     */
    public static void registered(Registration registration, CancellationToken token, CancellationToken root) {
        if (installed && LISTENER.isBound()) {
            LISTENER.get().registered(registration, token, root);
        }
    }
}
