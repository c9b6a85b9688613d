package org.cancelkit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.cancelkit.internal.Checkpoints;
import org.jspecify.annotations.Nullable;

/**
 * A user callback in a token's listener list (C5).
 *
 * <p>{@link #state}: PENDING, then RUNNING and DONE (the canceller ran it) or REMOVED (unregistered
 * first), changed by CAS so exactly one of the two wins. {@link #runner} is written by the running
 * thread before RUNNING is published and read by {@link #unregister()} to avoid waiting on itself.
 */
final class Callback extends Listener implements Registration {
    private static final int PENDING = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    private static final int REMOVED = 3;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Callback.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final @Nullable Node owner;
    private final Runnable body;
    private volatile int state;
    private volatile @Nullable Thread runner;

    /** Runs only when the cancel is hard: stays linked through a soft cancel's grace (Node, invariant 5). */
    private boolean hardOnly;

    private Callback(@Nullable Node owner, Runnable body, int state) {
        this.owner = owner;
        this.body = body;
        this.state = state;
    }

    static Registration register(Node token, Runnable body) {
        return register(token, body, false);
    }

    static Registration register(Node token, Runnable body, boolean hardOnly) {
        if (token == Node.NEVER) {
            return new Callback(null, body, REMOVED); // can never run: keep nothing
        }
        Callback cb = new Callback(token, body, PENDING);
        cb.hardOnly = hardOnly;
        if (!token.add(cb)) {
            Cancel c = token.state();
            assert c != null : "add refuses a callback only on a cancelled node";
            c.awaitPropagated();
            cb.fire(c); // registering on a cancelled token runs it at once
        }
        if (Checkpoints.listening()) {
            Checkpoints.registered(cb, token, rootOf(token)); // the testing kit's leak check
        }
        return cb;
    }

    private static Node rootOf(Node token) {
        Node t = token;
        while (t.parent != null) {
            t = t.parent;
        }
        return t;
    }

    @Override
    void fire(Cancel cancel) {
        runner = Thread.currentThread();
        if (!STATE.compareAndSet(this, PENDING, RUNNING)) {
            return;
        }
        try {
            body.run();
        } finally {
            synchronized (this) {
                state = DONE;
                notifyAll();
            }
        }
    }

    @Override
    boolean interruptor() {
        return hardOnly;
    }

    @Override
    boolean fast() {
        return false;
    }

    @Override
    public boolean isPending() {
        return state == PENDING;
    }

    @Override
    public boolean unregister() {
        if (STATE.compareAndSet(this, PENDING, REMOVED)) {
            if (owner != null) {
                owner.remove(this);
            }
            return true;
        }
        if (state == RUNNING && runner != Thread.currentThread()) {
            boolean interrupted = false;
            synchronized (this) {
                while (state == RUNNING) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // Keep waiting: the promise is "never runs after unregister returns".
                        // The flag is restored below.
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return false;
    }
}
