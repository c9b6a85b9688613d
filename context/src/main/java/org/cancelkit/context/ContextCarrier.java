package org.cancelkit.context;

/**
 * Carries one kind of thread-bound context (a logging MDC, a tracing context, a security principal)
 * from the thread that hands work over to the thread that runs it. Install a carrier once with
 * {@link ContextPropagation#install}; {@link org.cancelkit.context.slf4j.MdcCarrier} and
 * {@link org.cancelkit.context.otel.OtelContextCarrier} are ready-made.
 *
 * {@snippet :
 * ContextCarrier tenant = () -> {
 *     String captured = Tenant.current();               // on the handing thread
 *     return () -> {                                    // on the running thread, before the work
 *         String before = Tenant.current();
 *         Tenant.set(captured);
 *         return () -> Tenant.set(before);              // after the work, also when it failed
 *     };
 * };
 * ContextPropagation.install(tenant);
 * }
 *
 * <p>A carrier must be thread-safe. {@link #capture()} runs on the handing thread for every fork and
 * must be cheap; {@link Captured#apply()} and the undo it returns run on the running thread, the undo
 * after the work has ended, on the same thread, in the reverse order of the carriers.
 */
@FunctionalInterface
public interface ContextCarrier {
    /**
     * Captures this carrier's context on the handing thread.
     *
     * @return what to apply on the thread that runs the work; never null
     */
    Captured capture();

    /** A context captured on the handing thread, to apply on the thread that runs the work. */
    @FunctionalInterface
    interface Captured {
        /**
         * Applies the captured context on the running thread, before the work starts.
         *
         * @return what restores the thread's context as it was before; run after the work has ended
         */
        Runnable apply();
    }
}
