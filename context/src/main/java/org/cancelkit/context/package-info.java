/**
 * Context that follows a fork: carriers of the core's {@link org.cancelkit.ContextCarrier} hook for
 * SLF4J's MDC and OpenTelemetry (install them with {@link org.cancelkit.ForkContext#install}), and
 * {@link org.cancelkit.context.ContextPropagation}, which carries the context into executors' tasks.
 */
@NullMarked
package org.cancelkit.context;

import org.jspecify.annotations.NullMarked;
