package org.cancelkit.testkit.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import org.cancelkit.CancellationToken;
import org.cancelkit.Registration;
import org.cancelkit.internal.Checkpoints;
import org.jspecify.annotations.Nullable;

/**
 * The kit's listener on the core's hook ({@link Checkpoints}): it remembers the root tokens created
 * and the {@code onCancel} callbacks registered by the code it is bound for, and passes cancellation
 * points on to a point handler (the explorer's, the assertions').
 *
 * <p>Thread-safe: code bound to it may fork threads that inherit the binding (a structured task
 * scope); its collections are synchronized on this recorder.
 */
public final class Recorder implements Checkpoints.Listener {

    /**
     * A registration seen while bound.
     *
     * @param registration the registration
     * @param token the token it was registered on
     * @param root the root of that token's tree
     * @param stack where it was registered
     */
    public record Registered(Registration registration, CancellationToken token, CancellationToken root,
                             List<StackTraceElement> stack) {}

    /**
     * Roots created while bound, held weakly: a test may create millions (each timeout outside any
     * token is a root). Tokens are equal when they stand for the same node, so the set holds each
     * tree once whichever handle on its root it is asked about.
     */
    private final Set<CancellationToken> roots = Collections.newSetFromMap(new WeakHashMap<>());
    private final List<Registered> registrations = new ArrayList<>();
    /** Written by the owner before binding, read by bound threads. */
    private volatile Checkpoints.@Nullable Listener points;
    private volatile boolean recording = true;

    /** Creates a recorder that records and passes no point on. */
    public Recorder() {}

    /**
     * Sets who hears of cancellation points.
     *
     * @param handler the point handler, or null for none
     */
    public void points(Checkpoints.@Nullable Listener handler) {
        this.points = handler;
    }

    /**
     * Turns the recording of roots and registrations on or off.
     *
     * @param on whether to record
     */
    public void recording(boolean on) {
        this.recording = on;
    }

    /**
     * Runs {@code body} with this recorder bound as the cancellation-point listener.
     *
     * @param body the code under test
     * @param <T> its value
     * @return what it returned
     * @throws Exception what it threw
     */
    public <T> T bind(Callable<T> body) throws Exception {
        return Checkpoints.withListener(this, body);
    }

    @Override
    public void reached(String kind) {
        Checkpoints.Listener p = points;
        if (p != null) {
            p.reached(kind);
        }
    }

    @Override
    public void rootCreated(CancellationToken root) {
        if (recording) {
            synchronized (this) {
                roots.add(root);
            }
        }
    }

    @Override
    public void registered(Registration registration, CancellationToken token, CancellationToken root) {
        if (recording) {
            Registered r = new Registered(registration, token, root, Stacks.capture());
            synchronized (this) {
                registrations.add(r);
            }
        }
    }

    /**
     * Returns the registrations still pending on a live token whose tree was created outside the
     * bound code: callbacks that nobody closed, on tokens that outlive the code that registered them.
     *
     * @return the leaked registrations, in registration order
     */
    public synchronized List<Registered> pendingOnOutlivingTokens() {
        List<Registered> leaked = new ArrayList<>();
        for (Registered r : registrations) {
            if (r.registration().isPending() && !r.token().isCancelled() && !roots.contains(r.root())) {
                leaked.add(r);
            }
        }
        return leaked;
    }
}
