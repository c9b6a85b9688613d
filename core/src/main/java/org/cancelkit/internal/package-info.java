/**
 * Mechanisms behind the public API: the timers and the cancellation-point hook. Exported to the testing
 * kit alone.
 */
@NullMarked
package org.cancelkit.internal;

import org.jspecify.annotations.NullMarked;
