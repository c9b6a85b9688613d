/**
 * Mechanisms behind the public API: the timers. Not exported.
 */
@NullMarked
package org.cancelkit.internal;

import org.jspecify.annotations.NullMarked;
