package org.cancelkit;

/**
 * Carries thread-bound context (a logging MDC, a tracing context, a security principal) from the
 * thread that forks work into the thread that runs it: a {@link TaskGroup} fork, and any module that
 * hands work to another thread through {@link ForkContext}. Install a carrier once with
 * {@link ForkContext#install}; cancelkit's optional modules ship carriers for SLF4J's MDC and for
 * OpenTelemetry.
 *
 * {@snippet :
 * ContextCarrier mdc = () -> {
 *     Map<String, String> copy = MDC.getCopyOfContextMap();      // on the forking thread
 *     return () -> {                                             // on the fork's thread, before the body
 *         Map<String, String> before = MDC.getCopyOfContextMap();
 *         MDC.setContextMap(copy == null ? Map.of() : copy);
 *         return () -> MDC.setContextMap(before == null ? Map.of() : before); // after the body
 *     };
 * };
 * ForkContext.install(mdc);
 * }
 *
 * <p>A carrier must be thread-safe; {@link #capture()} runs on the forking thread and must be cheap.
 */
@FunctionalInterface
public interface ContextCarrier {
    /**
     * Captures this carrier's context on the forking thread.
     *
     * @return what to apply on the thread that runs the work
     */
    Captured capture();

    /** A context captured on the forking thread. */
    @FunctionalInterface
    interface Captured {
        /**
         * Applies the context on the thread that runs the work, before it starts.
         *
         * @return what undoes it, run after the work has ended (also when it failed)
         */
        Runnable apply();
    }
}
