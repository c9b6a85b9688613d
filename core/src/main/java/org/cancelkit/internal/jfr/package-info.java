/**
 * cancelkit's Flight Recorder events, committed by the core's emission points (and enabled by
 * {@code org/cancelkit/cancelkit.jfc}). Not an API: read the events by their names.
 */
@NullMarked
package org.cancelkit.internal.jfr;

import org.jspecify.annotations.NullMarked;
