/** The carrier of OpenTelemetry's {@code Context}: needs {@code io.opentelemetry:opentelemetry-context}. */
@NullMarked
package org.cancelkit.context.otel;

import org.jspecify.annotations.NullMarked;
