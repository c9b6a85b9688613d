package org.cancelkit.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.cancelkit.Cancellation;
import org.cancelkit.CancellationToken;
import org.cancelkit.CancelledException;
import org.cancelkit.CheckedCallable;
import org.cancelkit.CompletionPolicy;
import org.cancelkit.Deadline;
import org.cancelkit.DeadlineExceededException;
import org.cancelkit.MonotonicClock;
import org.cancelkit.TaskFailedException;
import org.cancelkit.TaskGroup;
import org.cancelkit.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * Calls several services in parallel under one overall deadline, with required and optional parts
 * (a page assembled from a profile, its posts and, when they come in time, its recommendations).
 *
 * {@snippet :
 * FanOut fan = FanOut.within(Duration.ofMillis(300));
 * FanOut.Part<String> profile = fan.required("profile", () -> client.send(profileRequest, ofString()).body());
 * FanOut.Part<String> ads = fan.optional("ads", () -> client.send(adsRequest, ofString()).body(), () -> "[]");
 * fan.run();                                   // every part has ended when this returns
 * render(profile.get(), ads.get());            // ads.degraded() says whether the fallback was used
 * }
 *
 * <h2>Rules (H3, C1)</h2>
 * <ul>
 *   <li>Every part runs on its own virtual thread in a {@link TaskGroup}, under a timeout that ends at
 *       the overall deadline (or the caller's, if earlier: C3). A request sent by a part therefore has
 *       at most that deadline (H1).</li>
 *   <li>A required part that fails (including its deadline passing) cancels every other part, and
 *       {@link #run()} throws: {@link DeadlineExceededException} when the overall deadline stopped
 *       it, {@link TaskFailedException} otherwise.</li>
 *   <li>An optional part that fails or runs out of time is replaced by its fallback, which runs on
 *       the part's thread after the part has ended, outside the deadline. A cancel from a sibling's
 *       failure or from the caller is not replaced: the part stops.</li>
 *   <li>When {@link #run()} returns or throws, every part has ended (C1).</li>
 * </ul>
 *
 * <p>Owner-confined: the thread that creates the fan-out adds parts and runs it, once. The parts'
 * values are safe to read from that thread after {@link #run()} returned (the group's join
 * happens-before it returns).
 */
public final class FanOut {
    private final Duration overall;
    private final List<Part<?>> parts = new ArrayList<>();
    private boolean started;

    private FanOut(Duration overall) {
        this.overall = overall;
    }

    /**
     * Starts describing a fan-out.
     *
     * @param overall the overall deadline, from the moment {@link #run()} is called; not negative
     * @return the fan-out, with no parts yet
     */
    public static FanOut within(Duration overall) {
        Objects.requireNonNull(overall, "overall");
        if (overall.isNegative()) {
            throw new IllegalArgumentException("the overall deadline must not be negative, got " + overall);
        }
        return new FanOut(overall);
    }

    /**
     * Adds a part whose failure fails the whole fan-out.
     *
     * @param name the part's name, unique in this fan-out, for reports and thread names
     * @param call the work
     * @param <T> its value
     * @return a handle to read the value after {@link #run()}
     */
    public <T> Part<T> required(String name, CheckedCallable<? extends T, ?> call) {
        return add(new Part<>(name, call, null));
    }

    /**
     * Adds a part that degrades to a fallback when it fails or runs out of time.
     *
     * @param name the part's name, unique in this fan-out
     * @param call the work
     * @param fallback what to use instead; runs outside the deadline, so keep it cheap
     * @param <T> its value
     * @return a handle to read the value (or the fallback's) after {@link #run()}
     */
    public <T> Part<T> optional(String name, CheckedCallable<? extends T, ?> call,
                                CheckedCallable<? extends T, ?> fallback) {
        return add(new Part<>(name, call, Objects.requireNonNull(fallback, "fallback")));
    }

    private <T> Part<T> add(Part<T> part) {
        if (started) {
            throw new IllegalStateException("the fan-out has already run; create a new one with FanOut.within(...)");
        }
        for (Part<?> p : parts) {
            if (p.name.equals(part.name)) {
                throw new IllegalArgumentException("a part named '" + part.name + "' is already in this fan-out; "
                        + "give each part its own name");
            }
        }
        parts.add(part);
        return part;
    }

    /**
     * Runs every part and waits for all of them.
     *
     * @return the names of the optional parts that fell back, in the order they were added
     * @throws DeadlineExceededException when the overall deadline stopped a required part
     * @throws TaskFailedException when a required part failed (its exception is the cause)
     * @throws CancelledException when the caller's token was cancelled
     * @throws InterruptedException when the caller was interrupted by someone other than cancelkit
     * @throws IllegalStateException when run twice or with no parts
     */
    public List<String> run() throws InterruptedException {
        if (started) {
            throw new IllegalStateException("a fan-out runs once; create a new one with FanOut.within(...)");
        }
        if (parts.isEmpty()) {
            throw new IllegalStateException("the fan-out has no parts; add some with required(...) or optional(...)");
        }
        started = true;
        // The clock the parts' timeouts will use: the bound token's, or the current one outside any binding.
        CancellationToken caller = Cancellation.current();
        MonotonicClock clock = caller.equals(CancellationToken.never()) ? MonotonicClock.current() : caller.clock();
        Deadline deadline = Deadline.after(overall, clock);
        try (TaskGroup group = TaskGroup.open(CompletionPolicy.failFast())) {
            for (Part<?> part : parts) {
                group.fork(part.name, () -> part.runUntil(deadline));
            }
            group.join();
        } catch (TaskFailedException e) {
            // Only the overall deadline is reported as such: a part's own shorter timeout (a request's)
            // stays the part's failure, so whoever reads the error looks at the right budget.
            if (e.getCause() instanceof DeadlineExceededException d && deadline.isExpired()) {
                throw new DeadlineExceededException("fan-out: the overall deadline of " + overall.toMillis()
                        + " ms passed before the required part '" + e.taskName() + "' finished", d);
            }
            throw e;
        }
        List<String> degraded = new ArrayList<>();
        for (Part<?> p : parts) {
            if (p.degraded) {
                degraded.add(p.name);
            }
        }
        return List.copyOf(degraded);
    }

    /**
     * One part of a fan-out: read its value after {@link FanOut#run()} returned.
     *
     * <p>Thread-safe to read after {@code run} returned; written only by the part's own thread.
     *
     * @param <T> its value
     */
    public static final class Part<T> {
        private final String name;
        private final CheckedCallable<? extends T, ?> call;
        private final @Nullable CheckedCallable<? extends T, ?> fallback;
        /** Written by the part's thread; read by the owner after the group's join (happens-before). */
        private @Nullable T value;
        private boolean done;
        private boolean degraded;
        private @Nullable Throwable degradedBecause;

        private Part(String name, CheckedCallable<? extends T, ?> call, @Nullable CheckedCallable<? extends T, ?> fallback) {
            this.name = Objects.requireNonNull(name, "name");
            this.call = Objects.requireNonNull(call, "call");
            this.fallback = fallback;
        }

        private @Nullable T runUntil(Deadline deadline) throws Exception {
            T v;
            try {
                v = Timeout.call(deadline.remaining(), call::call);
            } catch (CancelledException e) {
                throw e; // a sibling failed or the caller cancelled: stop, never fall back
            } catch (Exception e) {
                if (fallback == null) {
                    throw e;
                }
                degraded = true;
                degradedBecause = e;
                v = fallback.call();
            }
            value = v;
            done = true;
            return v;
        }

        /**
         * Returns the part's name.
         *
         * @return the name
         */
        public String name() {
            return name;
        }

        /**
         * Returns the part's value, or its fallback's.
         *
         * @return the value; null only when the part (or fallback) returned null
         * @throws IllegalStateException when the part has no value: the fan-out has not run, or failed
         */
        public @Nullable T get() {
            if (!done) {
                throw new IllegalStateException("part '" + name + "' has no value: run the fan-out first, "
                        + "and read parts only when run() returned normally");
            }
            return value;
        }

        /**
         * Tells whether the fallback was used.
         *
         * @return true when this optional part failed or ran out of time and its fallback's value is used
         */
        public boolean degraded() {
            return degraded;
        }

        /**
         * Returns why the fallback was used.
         *
         * @return what the part threw, or empty when it was not degraded
         */
        public Optional<Throwable> degradedBecause() {
            return Optional.ofNullable(degradedBecause);
        }
    }
}
