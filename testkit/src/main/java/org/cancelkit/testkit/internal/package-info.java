/**
 * Mechanisms behind the testing kit: the thread, descriptor and temp-file censuses, the recorder
 * bound as the core's cancellation-point listener, and stack trimming. Not exported.
 */
@NullMarked
package org.cancelkit.testkit.internal;

import org.jspecify.annotations.NullMarked;
