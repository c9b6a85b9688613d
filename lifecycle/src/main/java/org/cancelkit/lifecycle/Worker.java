package org.cancelkit.lifecycle;

import java.time.Duration;
import java.util.Objects;

/**
 * A long-running background body with a name, a grace period and a shutdown phase. An
 * {@link Application} starts it on its own virtual thread, bound to a child of its group's token,
 * and stops it at shutdown: first a soft cancel (its checks, waits and {@code onCancel} callbacks
 * see it at once; nothing is interrupted), then, if it is still running when its grace has passed,
 * a hard cancel (an interrupt at its blocking calls).
 *
 * {@snippet :
 * Worker http = Worker.of("http", Duration.ofSeconds(2), token -> {
 *     while (!token.isCancelled()) {
 *         serveOne();
 *     }
 *     drainConnections();   // within its 2 s of grace
 * });
 * }
 *
 * <p>Immutable and thread-safe. Every argument must be non-null.
 *
 * @param name its name, unique among its siblings
 * @param grace how long it may take to stop after the soft cancel, before it is cancelled hard
 * @param phase its shutdown phase (see {@link Component#phase()})
 * @param body what it does
 */
public record Worker(String name, Duration grace, int phase, WorkerBody body) implements Component {
    /** The grace of {@link #of(String, WorkerBody)}: five seconds. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    /**
     * Checks the fields.
     *
     * @param name non-blank, without {@code '/'}
     * @param grace not negative; zero means it is cancelled hard at once
     * @param phase any
     * @param body non-null
     */
    public Worker {
        Names.requireName(name, "worker");
        Names.requireDuration(grace, "grace");
        Objects.requireNonNull(body, "body");
    }

    /**
     * A worker with the given grace, in phase zero.
     *
     * @param name its name
     * @param grace how long it may take to stop after the soft cancel
     * @param body what it does
     * @return the worker
     */
    public static Worker of(String name, Duration grace, WorkerBody body) {
        return new Worker(name, grace, 0, body);
    }

    /**
     * A worker with {@link #DEFAULT_GRACE}, in phase zero.
     *
     * @param name its name
     * @param body what it does
     * @return the worker
     */
    public static Worker of(String name, WorkerBody body) {
        return new Worker(name, DEFAULT_GRACE, 0, body);
    }

    /**
     * Returns this worker in another shutdown phase.
     *
     * @param phase among siblings, higher phases stop first
     * @return a copy with that phase
     */
    public Worker inPhase(int phase) {
        return new Worker(name, grace, phase, body);
    }
}
