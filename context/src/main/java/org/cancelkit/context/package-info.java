/**
 * Context that follows a fork: {@link org.cancelkit.context.ContextCarrier} captures a thread's
 * context, {@link org.cancelkit.context.ContextPropagation} installs carriers and wraps work so that
 * the context captured where the work was handed over is applied where it runs.
 */
@NullMarked
package org.cancelkit.context;

import org.jspecify.annotations.NullMarked;
